from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleCategory(models.TextChoices):
    POLICY = "policy", _("政策法规")
    NOTICE = "notice", _("通知公告")
    CASE = "case", _("典型案例")
    CONSUMER_TIP = "consumer_tip", _("消费提示")
    GOOD_EXAMPLE = "good_example", _("正面典型")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    UNPUBLISHED = "unpublished", _("已撤下")
