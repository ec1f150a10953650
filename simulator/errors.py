"""Business error codes the fake appliance answers with, and the exception that carries them.

Codes and messages are the vendor's own (api-core.md §2), reproduced verbatim, typos included.
Every one of them travels in an HTTP 200 envelope, as the document shows.
"""

from __future__ import annotations

OK = 0
PARAM_INVALID = 100003
SIGNATURE_ERROR = 100008
DEVICE_NOT_FOUND = 102013
DEVICE_OFFLINE = 102091
PTZ_FAILED = 102141
NOT_DOOR_DEVICE = 103157
ALERT_TIME_ORDER = 124302
ALERT_PAGING = 124303
PANEL_ONLY = 200314

MESSAGES: dict[int, str] = {
    OK: "成功",
    PARAM_INVALID: "参数不合法",
    SIGNATURE_ERROR: "签名错误",
    DEVICE_NOT_FOUND: "当前请求设备不存在",
    DEVICE_OFFLINE: "设备离线状态",
    PTZ_FAILED: "云台控制调用失败",
    NOT_DOOR_DEVICE: "设备不在门禁设备中",
    ALERT_TIME_ORDER: "开始时间不能大于结束时间",
    ALERT_PAGING: "分页参数必须大于0",
    PANEL_ONLY: "目前仅面板机支持远程长开、远程常闭、恢复正常",
}


class ApiError(Exception):
    """A business error: answered as ``{"code": code, "msg": msg}`` with HTTP 200."""

    def __init__(self, code: int, msg: str | None = None) -> None:
        """Use the vendor's message for the code unless a more precise one is given."""
        self.code = code
        self.msg = msg if msg is not None else MESSAGES.get(code, "失败")
        super().__init__(f"{code} {self.msg}")
