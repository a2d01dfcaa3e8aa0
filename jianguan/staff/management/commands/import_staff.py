from __future__ import annotations

from jianguan.lib.sheetimport import ImportCommand
from jianguan.staff.importer import import_file


class Command(ImportCommand):
    help = "从 Excel（.xlsx）导入从业人员。任一行有误时不写入任何数据，除非使用 --valid-only。最后一行为 imported N, updated M, rejected K。"
    import_file = staticmethod(import_file)
