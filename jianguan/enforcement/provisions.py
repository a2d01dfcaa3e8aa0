"""The penalty provisions (罚则) a case may rest on, each with the penalties and the fine range it allows. A fine outside
the range of the provision chosen is refused. The words are those of the texts checked in docs/law/penalty-cases.md
(LawRefBook/Laws for the laws; the published 教育部令第53号 through the reprints named there)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from jianguan.enforcement.choices import PenaltyType as P


@dataclass(frozen=True)
class Provision:
    code: str
    citation: str  # the article as a document prints it: 《中华人民共和国消防法》第六十条第一款第三项
    violation: str  # what the provision punishes, in its words
    penalties: frozenset[str]
    # The fine in yuan: a fixed range, or a multiple of the illegal gains (违法所得一倍以上五倍以下).
    fine_min: Decimal = Decimal(0)
    fine_max: Decimal | None = None
    gains_min: Decimal | None = None  # multiples of the illegal gains
    gains_max: Decimal | None = None
    department_kinds: frozenset[str] = frozenset()  # which kind of department applies it (empty: any)

    def fine_range(self, gains: Decimal | None) -> tuple[Decimal, Decimal | None]:
        """The lowest and highest fine allowed, in yuan (None: no fine is possible without the illegal gains)."""
        if self.gains_max is not None:
            if gains is None:
                return Decimal(0), None
            return (gains * (self.gains_min or 0)).quantize(Decimal("0.01")), (gains * self.gains_max).quantize(
                Decimal("0.01")
            )
        return self.fine_min, self.fine_max

    def fine_error(self, fine: Decimal, gains: Decimal | None) -> str:
        """Why this fine is outside the provision's range (empty: within it)."""
        if P.FINE not in self.penalties:
            return _("%(citation)s不设罚款。") % {"citation": self.citation}
        low, high = self.fine_range(gains)
        if self.gains_max is not None and high is None:
            return _("%(citation)s按违法所得的倍数处罚款，请先填写认定的违法所得。") % {"citation": self.citation}
        if fine < low or (high is not None and fine > high):
            return _("罚款 %(fine)s 元超出%(citation)s规定的幅度（%(low)s 元至 %(high)s 元）。") % {
                "fine": fine,
                "citation": self.citation,
                "low": low,
                "high": high,
            }
        return ""


PROVISIONS: dict[str, Provision] = {
    p.code: p
    for p in [
        Provision(
            code="mbjy_64",
            citation="《中华人民共和国民办教育促进法》第六十四条、《校外培训行政处罚暂行办法》第十七条",
            violation="未经审批开展校外培训，构成擅自举办校外培训机构",
            penalties=frozenset({P.STOP_RUNNING, P.FINE}),
            gains_min=Decimal(1),
            gains_max=Decimal(5),
            department_kinds=frozenset({"education"}),
        ),
        Provision(
            code="xwpx_18",
            citation="《校外培训行政处罚暂行办法》第十八条",
            violation="变相开展学科类校外培训",
            penalties=frozenset({P.WARNING, P.CRITICISM}),
            department_kinds=frozenset({"education"}),
        ),
        Provision(
            code="xwpx_18_serious",
            citation="《校外培训行政处罚暂行办法》第十八条（情节严重）",
            violation="变相开展学科类校外培训，情节严重",
            penalties=frozenset({P.WARNING, P.CRITICISM, P.FINE}),
            fine_max=Decimal(50000),
            department_kinds=frozenset({"education"}),
        ),
        Provision(
            code="xwpx_18_grave",
            citation="《校外培训行政处罚暂行办法》第十八条（情节特别严重）",
            violation="变相开展学科类校外培训，情节特别严重",
            penalties=frozenset({P.WARNING, P.CRITICISM, P.FINE}),
            fine_min=Decimal(50000),
            fine_max=Decimal(100000),
            department_kinds=frozenset({"education"}),
        ),
        Provision(
            code="xfa_60_1_3",
            citation="《中华人民共和国消防法》第六十条第一款第三项",
            violation="占用、堵塞、封闭疏散通道、安全出口或者有其他妨碍安全疏散行为",
            penalties=frozenset({P.FINE}),
            fine_min=Decimal(5000),
            fine_max=Decimal(50000),
            department_kinds=frozenset({"fire"}),
        ),
        Provision(
            code="xfa_60_1_1",
            citation="《中华人民共和国消防法》第六十条第一款第一项",
            violation="消防设施、器材或者消防安全标志的配置、设置不符合国家标准、行业标准，或者未保持完好有效",
            penalties=frozenset({P.FINE}),
            fine_min=Decimal(5000),
            fine_max=Decimal(50000),
            department_kinds=frozenset({"fire"}),
        ),
        Provision(
            code="xfa_58_1_4",
            citation="《中华人民共和国消防法》第五十八条第一款第四项",
            violation="公众聚集场所未经消防救援机构许可，擅自投入使用、营业",
            penalties=frozenset({P.SUSPEND, P.FINE}),
            fine_min=Decimal(30000),
            fine_max=Decimal(300000),
            department_kinds=frozenset({"fire"}),
        ),
        Provision(
            code="spaq_126_1_6",
            citation="《中华人民共和国食品安全法》第一百二十六条第一款第六项",
            violation="安排未取得健康证明的人员从事接触直接入口食品的工作",
            # 责令改正，给予警告；拒不改正的，处五千元以上五万元以下罚款；情节严重的，责令停产停业，直至吊销许可证
            penalties=frozenset({P.WARNING, P.FINE, P.SUSPEND, P.REVOKE}),
            fine_min=Decimal(5000),
            fine_max=Decimal(50000),
            department_kinds=frozenset({"market_regulation"}),
        ),
    ]
}
