// Screenshot of a filled-in blueprint form for the docs (docs/blueprint-form.png).
//
// Needs a running demo (scripts/develop) whose configuration folder holds this checkout's
// blueprints in blueprints/automation/hongtu/. Logs in as e2e/check.mjs does, opens
// Settings → Automations → Create automation → "HongTu key person alert", fills a few inputs
// (the Front door, a notify action, one more person type) and saves the screenshot.
//
// Environment: HONGTU_URL, HONGTU_USER, HONGTU_PASSWORD, HONGTU_PROFILE_DIR (a fresh Chromium
// profile), HONGTU_CHROMIUM, HONGTU_SCREENSHOT (default docs/blueprint-form.png).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
const BASE = env.HONGTU_URL ?? 'http://127.0.0.1:8123';
const USER = env.HONGTU_USER ?? 'demo';
const PASSWORD = env.HONGTU_PASSWORD ?? 'demo-hongtu';
const PROFILE = env.HONGTU_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'hongtu-chromium-'));
const SHOT = env.HONGTU_SCREENSHOT ?? 'docs/blueprint-form.png';
const BLUEPRINT = 'HongTu key person alert';
const DOOR = 'Front door';
const TIMEOUT = 30_000;

let page = null;

async function logIn() {
  await page.goto(BASE + '/');
  await page.locator('input[name="username"]').fill(USER);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('input[name="password"]').press('Enter');
  await page.waitForURL((url) => !url.pathname.startsWith('/auth'), { timeout: TIMEOUT });
  await page.waitForFunction(() => document.querySelector('home-assistant')?.hass?.devices, null, {
    timeout: TIMEOUT,
  });
  console.log(`ok    logged in as ${USER} at ${BASE}`);
}

// Sets one blueprint input the way its selector does: a value-changed event from its ha-selector.
async function setInput(key, value) {
  const handles = await page.locator('blueprint-automation-editor ha-selector').elementHandles();
  for (const handle of handles) {
    if ((await handle.evaluate((el) => el.key)) !== key) continue;
    await handle.evaluate((el, v) => {
      el.dispatchEvent(new CustomEvent('value-changed', { detail: { value: v }, bubbles: true, composed: true }));
    }, value);
    console.log(`ok    ${key} = ${JSON.stringify(value)}`);
    return;
  }
  throw new Error(`no blueprint input ${key}`);
}

async function main() {
  const context = await chromium.launchPersistentContext(PROFILE, {
    executablePath: env.HONGTU_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  try {
    page = context.pages()[0] ?? (await context.newPage());
    await logIn();
    const deviceId = await page.evaluate(
      (name) =>
        Object.values(document.querySelector('home-assistant').hass.devices).find((d) => d.name === name)
          ?.id ?? null,
      DOOR,
    );
    if (!deviceId) throw new Error(`no device named ${DOOR}`);
    await page.goto(`${BASE}/config/automation/dashboard`);
    await page.getByText('Create automation').first().click({ timeout: TIMEOUT });
    await page.getByText(BLUEPRINT).first().click({ timeout: TIMEOUT });
    await page.waitForURL((url) => url.pathname === '/config/automation/edit/new', { timeout: TIMEOUT });
    await page.locator('blueprint-automation-editor ha-selector').first().waitFor({ timeout: TIMEOUT });
    console.log(`ok    opened a new automation from "${BLUEPRINT}"`);
    await setInput('person_types', ['key_person', 'frequent_key_person', 'stranger']);
    await setInput('devices', [deviceId]);
    await setInput('notify_action', 'notify.mobile_app_my_phone');
    await setInput('cooldown', 60);
    await page.waitForTimeout(2000); // let pickers render the chosen values
    await page.screenshot({ path: SHOT });
    console.log(`ok    screenshot ${SHOT}`);
  } finally {
    await context.close();
  }
}

try {
  await main();
} catch (err) {
  console.log(`FAIL  ${err.message ?? err}`);
  if (page !== null) {
    try {
      await page.screenshot({ path: join(tmpdir(), 'blueprint-form-failure.png') });
      console.log(`      screenshot of the page: ${join(tmpdir(), 'blueprint-form-failure.png')}`);
    } catch {
      // the browser is gone
    }
  }
  process.exitCode = 1;
}
