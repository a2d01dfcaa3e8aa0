"""The demo district's public articles: the campaign's notice, a 预收费 consumer tip, the case of an unlicensed 托管班
ordered to stop enrolling, a summary of the 双减 opinion, and one draft the public must not see.

Told as a story replayed by ``jianguan.demo.loader.load_demo``: each article is written and published on its day;
each is looked up by its title first, so a second run creates nothing. Dates in the text follow the demo campaign, which is dated relative to the day of loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jianguan.accounts.models import User
from jianguan.articles import services
from jianguan.articles.choices import ArticleCategory
from jianguan.articles.models import Article
from jianguan.inspections.demo import ENDS, STARTS
from jianguan.lib.story import Story, moment
from jianguan.registry import demo_data


@dataclass(frozen=True)
class DemoArticle:
    category: str
    title: str
    summary: str
    body: str
    on: date  # when it was written and published, on the demo_data calendar (shifted with the demo's day)
    publish: bool = True


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def articles(today: date) -> list[DemoArticle]:
    """The demo's articles, oldest first (they are published in this order, so the last is the newest)."""
    shift = today - demo_data.REFERENCE_DATE
    starts, ends = _day(STARTS + shift), _day(ENDS + shift)
    order_day = _day(date(2026, 10, 21) + shift)
    return [
        DemoArticle(
            ArticleCategory.POLICY,
            "《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》要点",
            "2021 年 7 月中共中央办公厅、国务院办公厅印发的“双减”意见中，与家长和培训机构关系最密切的规定。",
            "<p>2021 年 7 月，中共中央办公厅、国务院办公厅印发《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》"
            "（简称“双减”意见）。与校外培训有关的主要规定如下：</p>"
            "<h3>一、严格审批</h3><ul>"
            "<li>各地不再审批新的面向义务教育阶段学生的学科类校外培训机构，现有学科类培训机构统一登记为非营利性机构。</li>"
            "<li>对非学科类培训机构，按体育、文化艺术、科技等类别明确主管部门，分类制定标准、严格审批。</li>"
            "<li>学科类培训机构一律不得上市融资，严禁资本化运作。</li></ul>"
            "<h3>二、规范培训行为</h3><ul>"
            "<li>不得占用国家法定节假日、休息日及寒暑假期组织学科类培训。</li>"
            "<li>严禁超标超前培训，严禁非学科类培训机构从事学科类培训，严禁提供境外教育课程。</li>"
            "<li>线上培训每课时不超过 30 分钟，课程间隔不少于 10 分钟，培训结束时间不晚于 21:00。</li></ul>"
            "<h3>三、预收费监管</h3>"
            "<p>对校外培训机构的预收费实行风险管控，有效预防“退费难”“卷钱跑路”等问题。</p>"
            "<blockquote>本区按照上述规定，对全区培训机构、小饭桌和托管班开展日常检查和专项治理。</blockquote>",
            on=date(2026, 9, 21),
        ),
        DemoArticle(
            ArticleCategory.NOTICE,
            "关于开展校外培训机构联合执法检查的通知",
            f"{starts}至{ends}，区教育局会同公安、市场监管、消防等部门对全区培训点开展联合执法检查。",
            "<p>各街道、乡镇，各校外培训机构：</p>"
            f"<p>为巩固“双减”工作成果，保障学生安全，经研究，{starts}至{ends}在全区开展校外培训机构联合执法检查。"
            "现将有关事项通知如下：</p>"
            "<h3>一、检查范围</h3><p>全区各类校外培训机构和培训点，包括小饭桌、托管班。</p>"
            "<h3>二、检查重点</h3><ol>"
            "<li>办学资质：是否取得办学许可证、营业执照或登记证书，是否超范围经营。</li>"
            "<li>教学内容：是否超标超前培训，是否以托管等名义变相开展学科类培训。</li>"
            "<li>食品安全：小饭桌是否取得食品经营许可或备案，从业人员健康证明、食品留样是否规范。</li>"
            "<li>消防安全：疏散通道和安全出口是否畅通，灭火器、应急照明、疏散指示标志是否完好。</li></ol>"
            "<h3>三、工作要求</h3>"
            "<p>检查中发现的问题当场下达责令整改通知书，明确整改要求和期限；逾期未整改的依法移交处罚。"
            "请各机构对照上述重点提前自查自纠。</p>"
            "<p>青岚区教育局<br>青岚区公安分局<br>青岚区市场监督管理局<br>青岚区消防救援大队</p>",
            on=date(2026, 10, 9),
        ),
        DemoArticle(
            ArticleCategory.CONSUMER_TIP,
            "校外培训预付费消费提示：一次缴费不超过 3 个月或 60 课时",
            "报名前先查证照，签合同、走监管账户、留凭证；警惕“大额优惠”诱导长期预付。",
            "<p>寒假将至，不少家长准备为孩子报名校外培训。为避免预付费风险，提醒广大家长：</p>"
            "<ol>"
            "<li><strong>先查证照。</strong>在本平台“公众查询”中输入机构名称，查看是否证照齐全、是否被责令整改。"
            "未在名录中的场所可能未经登记，请谨慎选择。</li>"
            "<li><strong>不超期预付。</strong>校外培训机构不得一次性收取或以充值、次卡等形式变相收取时间跨度超过 3 个月"
            "或 60 课时的费用，且每笔不超过 5000 元。对要求一次缴纳一年、两年学费的机构，请坚决拒绝。</li>"
            "<li><strong>签订合同。</strong>使用校外培训服务合同示范文本，写明课程内容、课时、收费和退费办法。</li>"
            "<li><strong>资金进监管账户。</strong>培训费应缴入机构的预收费监管账户，不要转账到个人账户。</li>"
            "<li><strong>保留凭证。</strong>妥善保存合同、发票、缴费记录和聊天记录，发生纠纷时便于维权。</li>"
            "</ol>"
            "<p>如遇机构拒不退费、突然停课等情况，可拨打 12345 政务服务热线或 12315 投诉举报。</p>",
            on=date(2026, 10, 30),
        ),
        DemoArticle(
            ArticleCategory.CASE,
            "城西小蜜蜂托管班以托管名义开展学科类培训，被责令停止招生",
            "联合执法检查中发现，该托管班未取得办学许可证，组织小学语文、数学、英语集体授课。",
            "<h3>基本情况</h3>"
            f"<p>{starts}起开展的联合执法检查中，区教育局、公安分局执法人员在城西街道新华路检查时发现，"
            "城西小蜜蜂托管班仅持有营业执照，未取得办学许可证，却以课后托管名义，"
            "每周五个晚上组织小学生进行语文、数学、英语集体授课。</p>"
            "<h3>处理结果</h3>"
            f"<p>{order_day}，区教育局责令该托管班立即停止招收学员，对已收取的培训费用予以清退，并限期整改。"
            "经复查，该托管班已停止学科类授课，清退了相关费用，课后托管不再组织学科类授课。</p>"
            "<h3>提醒</h3>"
            "<p>托管服务不得开展学科类培训。家长发现托管班、小饭桌变相开展学科类培训的，可向区教育局举报。</p>",
            on=date(2026, 11, 20),
        ),
        DemoArticle(
            ArticleCategory.CONSUMER_TIP,
            "寒假校外培训安全提示（草稿）",
            "寒假期间选择培训和托管服务的安全提示。",
            "<p>（待补充：冬季消防安全、上下学交通安全、小饭桌食品安全。）</p>",
            on=date(2026, 11, 24),
            publish=False,
        ),
    ]


def articles_story(*, today: date) -> Story:
    """The articles that are missing, each written and published by the lead coordinator on its day; returns how many
    were created."""
    shift = today - demo_data.REFERENCE_DATE
    created = 0
    for item in articles(today):
        if Article.objects.filter(title=item.title).exists():
            continue
        yield moment(item.on + shift, 15)
        lead = User.objects.filter(username="lead").first()
        if lead is None:
            return created
        article = services.article_create(
            actor=lead, category=item.category, title=item.title, summary=item.summary, body=item.body
        )
        if item.publish:
            services.article_publish(actor=lead, article=article)
        created += 1
    return created
