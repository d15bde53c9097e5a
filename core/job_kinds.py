"""The admin job kinds, by name: stored in ``jobs.kind``, chosen by the ingress and the scheduler when they create a
job (:func:`models.jobs.create_job`), run by the worker that looks the name up (:mod:`workers.jobs.registry`)."""

#: Make the local template table what the Official Account lists.
TEMPLATES_SYNC = "wechat.templates.sync"
#: Publish a menu draft as the live menu.
MENU_PUBLISH = "wechat.menu.publish"
#: Add the live menu as a new published row.
MENU_IMPORT = "wechat.menu.import"
#: Delete the live menu.
MENU_CLEAR = "wechat.menu.clear"
#: Upload a media row's bytes from the blob store.
MEDIA_UPLOAD = "wechat.media.upload"
#: Delete a permanent material.
MEDIA_DELETE = "wechat.media.delete"
#: Make the local permanent media rows match the platform's materials.
MEDIA_SYNC = "wechat.media.sync"
#: Fetch a permanent material (get_material): a file into the blob store, a video's link or news articles.
MEDIA_FETCH = "wechat.media.fetch"
#: Fetch followers' data (``user/info/batchget``) into the local followers table.
FOLLOWERS_FETCH = "wechat.followers.fetch"
#: Walk the whole follower list (or a tag's) and fetch everyone's data; mark who is no longer listed.
FOLLOWERS_SYNC = "wechat.followers.sync"
#: Set a follower's remark.
FOLLOWERS_REMARK = "wechat.followers.remark"
#: Make the local tag table what the account lists.
TAGS_SYNC = "wechat.tags.sync"
#: Create a tag.
TAGS_CREATE = "wechat.tags.create"
#: Delete a tag (its followers lose it).
TAGS_DELETE = "wechat.tags.delete"
#: Put followers under a tag, or take them out.
TAGS_TAG = "wechat.tags.tag"
TAGS_UNTAG = "wechat.tags.untag"
#: Make the local subscription-template table what the Official Account and the mini-program list.
SUBSCRIBE_TEMPLATES_SYNC = "wechat.subscribe_templates.sync"
#: Send a confirmed mass send (once: its clientmsgid is the record's).
MASS_SEND = "wechat.mass.send"
#: Read a mass send's status back (mass/get).
MASS_GET = "wechat.mass.get"
#: Hide a mass send's articles (mass/delete).
MASS_DELETE = "wechat.mass.delete"
#: Make the local table of published articles and drafts what the account lists.
ARTICLES_SYNC = "wechat.articles.sync"
#: Create a WeCom app chat (``appchat/create``) that the ``wecom_appchat`` channel then posts to.
WECOM_APPCHAT_CREATE = "wecom.appchat.create"
