from hotline.directory.management.base import ImportCommand
from hotline.directory.services import units_import


class Command(ImportCommand):
    help = "Import units from an .xlsx or .csv file: every row valid, or nothing imported."
    service = staticmethod(units_import)
