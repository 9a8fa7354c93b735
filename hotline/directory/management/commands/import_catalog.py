from hotline.directory.management.base import ImportCommand
from hotline.directory.services import catalog_import


class Command(ImportCommand):
    help = (
        "Import the dispatch catalog (派单目录) from an .xlsx or .csv file with the headers "
        "编码,事项名称,关键词,诉求分类编码,法律依据,承办单位编码,办理时限,内设机构,生效日期. "
        "Every row valid, or nothing imported."
    )
    service = staticmethod(catalog_import)
