"""DingTalk (钉钉): an internal app's work notifications and media, website sign-in, and custom robots."""

from platforms.dingtalk.client import DingTalkClient
from platforms.dingtalk.enterprise_robot import BatchSendResult, EnterpriseRobot
from platforms.dingtalk.robot import DingTalkRobot
from platforms.dingtalk.sign import robot_sign, verify_robot_sign
from platforms.dingtalk.sign_in import SignIn, UserGrant, UserProfile
from platforms.dingtalk.work_notices import WorkNotices

__all__ = ["BatchSendResult", "DingTalkClient", "DingTalkRobot", "EnterpriseRobot", "SignIn", "UserGrant",
           "UserProfile", "WorkNotices", "robot_sign", "verify_robot_sign"]
