from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "jianguan.courses"
    verbose_name = _("课程与班级")
