from __future__ import annotations

from jianguan.fees.importer import import_file
from jianguan.lib.sheetimport import ImportCommand


class Command(ImportCommand):
    help = "从 Excel（.xlsx）导入预收费记录。任一行有误时不写入任何数据，除非使用 --valid-only。最后一行为 imported N, updated M, rejected K。"
    import_file = staticmethod(import_file)
