from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.articles.choices import ArticleCategory, ArticleStatus
from jianguan.articles.models import Article


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["category", "title", "summary", "body"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            # A plain textarea; with JavaScript the Quill editor takes its place and writes its HTML back on submit.
            "body": forms.Textarea(attrs={"rows": 16, "data-rich-text": "quill"}),
        }
        help_texts = {
            "body": _(
                "可直接输入文字（空行分段）或 HTML。保存时只保留段落、标题、加粗、列表、引用、表格和 http/https/mailto "
                "链接，脚本、事件属性、样式、图片和内嵌框架都会被去除。"
            ),
        }

    def _post_clean(self) -> None:
        # The service sanitises the body and validates the article, for pages and commands alike.
        pass


class ArticleFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("栏目"), choices=[("", _("全部栏目")), *ArticleCategory.choices], required=False
    )
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *ArticleStatus.choices], required=False)
