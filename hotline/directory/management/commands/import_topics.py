from hotline.directory.management.base import ImportCommand
from hotline.directory.services import topics_import


class Command(ImportCommand):
    help = (
        "Import the topic tree (诉求分类) from an .xlsx or .csv file: level1,level2,level3; "
        "DB44/T 2479 Appendix A; or 一级分类,二级分类,三级分类[,编码]. "
        "Every row valid, or nothing imported."
    )
    service = staticmethod(topics_import)
