"""The rich text allow-list: scripts, event handlers, styles, frames, images and unsafe links never survive."""

from __future__ import annotations

import pytest

from jianguan.articles.sanitize import clean_html, plain_text


@pytest.mark.parametrize(
    ("dirty", "gone"),
    [
        ("<p>通知<script>alert('xss')</script></p>", ["<script", "alert"]),
        ("<SCRIPT src=https://evil.example/x.js></SCRIPT><p>x</p>", ["script", "evil.example"]),
        ('<img src="x" onerror="alert(1)">', ["<img", "onerror", "alert"]),
        ('<p onclick="steal()">点我</p>', ["onclick", "steal"]),
        ('<a href="https://ok.example" onmouseover="steal()">链接</a>', ["onmouseover", "steal"]),
        ('<a href="javascript:alert(1)">链接</a>', ["javascript", "alert"]),
        ('<a href="JaVaScRiPt:alert(1)">链接</a>', ["javascript", "alert"]),
        ('<a href="java&#x09;script:alert(1)">链接</a>', ["script", "alert"]),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">链接</a>', ["data:", "base64"]),
        ('<p style="background:url(javascript:alert(1))">样式</p>', ["style", "javascript"]),
        ("<style>body{display:none}</style><p>x</p>", ["<style", "display"]),
        ('<iframe src="https://evil.example"></iframe><p>x</p>', ["iframe", "evil.example"]),
        ("<svg><script>alert(1)</script></svg><p>x</p>", ["svg", "alert"]),
        ('<object data="x.swf"></object><embed src="x.swf">', ["object", "embed", "swf"]),
        ('<form action="https://evil.example"><input name="q"></form>', ["<form", "<input", "evil.example"]),
        ('<p class="ql-align-center" id="x" data-x="1">x</p>', ["class", "id=", "data-x"]),
        ("<!-- 注释 --><p>x</p>", ["<!--", "注释"]),
    ],
)
def test_dangerous_markup_is_stripped(dirty, gone):
    clean = clean_html(dirty)
    for fragment in gone:
        assert fragment.lower() not in clean.lower(), (fragment, clean)


def test_script_content_is_removed_not_shown_as_text():
    assert clean_html("<p>前</p><script>var secret = 1;</script><p>后</p>") == "<p>前</p><p>后</p>"


def test_allowed_formatting_is_kept():
    html = (
        "<h2>一、标题</h2><h3>小标题</h3><h4>三级</h4><p><strong>加粗</strong><b>粗</b><em>斜体</em><i>斜</i>"
        "<u>下划线</u><s>删除线</s><br></p><ul><li>甲</li></ul><ol><li>乙</li></ol><blockquote>引用</blockquote>"
        '<table><thead><tr><th colspan="2">表头</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>'
        "<hr>"
    )
    assert clean_html(html) == html


def test_links_keep_safe_addresses_and_get_noopener():
    clean = clean_html(
        '<a href="https://jyj.example.gov.cn/a?x=1&amp;y=2" target="_blank">官网</a>'
        '<a href="http://example.cn">旧站</a><a href="mailto:jyj@example.gov.cn">邮件</a>'
    )
    assert '<a href="https://jyj.example.gov.cn/a?x=1&amp;y=2" rel="noopener noreferrer">官网</a>' in clean
    assert '<a href="http://example.cn" rel="noopener noreferrer">旧站</a>' in clean
    assert '<a href="mailto:jyj@example.gov.cn" rel="noopener noreferrer">邮件</a>' in clean
    assert "target" not in clean


def test_a_link_with_an_unknown_scheme_keeps_its_text_only():
    assert clean_html('<p><a href="ftp://x.example/a">文件</a></p>') == '<p><a rel="noopener noreferrer">文件</a></p>'


def test_plain_text_without_markup_becomes_escaped_paragraphs():
    assert (
        clean_html("第一段\n第二行\n\n第二段 a < b & c") == "<p>第一段<br>第二行</p>\n\n<p>第二段 a &lt; b &amp; c</p>"
    )


def test_plain_text_with_inline_markup_keeps_its_paragraphs():
    assert clean_html("第一段 <b>重点</b>\n\n第二段<script>alert(1)</script>") == (
        "<p>第一段 <b>重点</b></p>\n\n<p>第二段</p>"
    )


def test_html_with_paragraphs_is_left_as_it_is():
    assert clean_html("<p>一</p>\n<p>二</p>") == "<p>一</p>\n<p>二</p>"


def test_control_characters_are_dropped():
    assert clean_html("<p>a\x00b</p>") == "<p>ab</p>"


@pytest.mark.parametrize(("html", "empty"), [("<p><br></p>", True), ("<p>&nbsp; </p>", True), ("<p>字</p>", False)])
def test_plain_text_tells_an_empty_editor(html, empty):
    assert (plain_text(html) == "") is empty
