"""Demo credentials shared by the sandbox and by settings in demo mode.

In demo mode (``sandbox.enabled: true``, or ``imbridge up`` with no config file) a platform with no credentials
of its own points at the sandbox with these values, so ``imbridge up`` is a working demo out of the box. They are
PUBLIC (anyone can sign a callback with them): outside demo mode they are never used, and such a platform is off.
"""

WECHAT_APP_ID = "wxdemo0000000001"
WECHAT_APP_SECRET = "demo-wechat-secret"
WECHAT_TOKEN = "demotoken"
WECHAT_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"

WECHAT_APPLET_APP_ID = "wxdemoapplet00001"
WECHAT_APPLET_APP_SECRET = "demo-applet-secret"

WECHAT_OPEN_APP_ID = "wxdemoopen0000001"
WECHAT_OPEN_APP_SECRET = "demo-wechat-open-secret"
WECOM_CORP_ID = "wwdemo0000000001"
WECOM_CORP_SECRET = "demo-wecom-secret"
WECOM_AGENT_ID = 1000002
WECOM_TOKEN = "demotoken"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

DINGTALK_APP_KEY = "dingdemo00000001"
DINGTALK_APP_SECRET = "demo-dingtalk-secret"
DINGTALK_AGENT_ID = 2000001

#: Demo robots the sandbox knows from the start (``imbridge up`` also creates them as robots).
DINGTALK_ROBOT_TOKEN = "demo-dingtalk-robot-token"
DINGTALK_ROBOT_SECRET = "SECdemo0123456789abcdef0123456789abcdef0123456789abcdef01234567"
WECOM_ROBOT_KEY = "demo-wecom-robot-key"
