from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability, can
from hotline.core.excel import table_workbook
from hotline.directory import (
    catalog_importing,
    importing,
    selectors,
    services,
    tables,
    topic_importing,
)
from hotline.directory.forms import CatalogFilterForm, ImportForm

CATALOG_PAGE_SIZE = 50

# --- shared ---------------------------------------------------------------------------


def _tree_page(request, *, tree: Callable[..., list], page: str, partial: str):
    """A searchable tree (units, topics); htmx asks for the tree alone."""
    query = request.GET.get("q", "").strip()
    context = {
        "tree": tree(query=query),
        "query": query,
        "can_manage": can(request.user, Capability.MANAGE),
    }
    return render(request, partial if request.htmx else page, context)


def _import_views(
    *,
    service: Callable[..., services.ImportResult],
    template: str,
    done: str,
    template_csv: Callable[[], bytes],
    file_name: str,
    columns: tuple[tables.Column, ...] = (),
) -> tuple[Callable, Callable]:
    """The upload page and the template download of one import (units, topics, catalog):
    upload, all-or-nothing import, every error listed; the same for every import."""

    @capability_required(Capability.MANAGE)
    def upload_page(request):
        errors: list[tables.RowError] = []
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    result = service(
                        actor=request.user, file_name=upload.name, content=upload.read()
                    )
                except services.ImportRejected as exc:
                    errors = exc.errors
                    messages.error(request, exc.message)
                else:
                    messages.success(request, _imported(result))
                    return redirect(done)
        else:
            form = ImportForm()
        status = 400 if errors or form.errors else 200
        context = {"form": form, "errors": errors, "columns": columns}
        return render(request, template, context, status=status)

    @capability_required(Capability.MANAGE)
    def template_download(request):
        return _csv_download(template_csv(), file_name)

    return upload_page, template_download


def _imported(result: services.ImportResult) -> str:
    text = _("Imported: %(created)s created, %(updated)s updated.") % {
        "created": result.created,
        "updated": result.updated,
    }
    if result.unchanged:
        text += " " + _("%(n)s unchanged.") % {"n": result.unchanged}
    if result.closed:
        text += " " + _("%(n)s earlier version(s) closed.") % {"n": result.closed}
    return text


def _xlsx_template_view(template_csv: Callable[[], bytes], file_name: str) -> Callable:
    """The same template as an Excel workbook (issue 15 item 17): the columns and the
    example row of the CSV template, every cell text (so 0570-… and codes stay as
    written)."""

    @capability_required(Capability.MANAGE)
    def download(request):
        table = tables.read_table("template.csv", template_csv())
        content = table_workbook([(_("Import"), table[0], table[1:])])
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response

    return download


def _csv_download(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


# --- units ----------------------------------------------------------------------------


@capability_required(Capability.VIEW_DIRECTORY)
def unit_list(request):
    return _tree_page(
        request,
        tree=selectors.unit_tree,
        page="directory/unit_list.html",
        partial="directory/_tree.html",
    )


@capability_required(Capability.VIEW_DIRECTORY)
def unit_detail(request, code: str):
    unit = selectors.unit_get(code=code)
    if unit is None:
        raise Http404(_("No such unit."))
    return render(
        request,
        "directory/unit_detail.html",
        {
            "unit": unit,
            "ancestors": selectors.unit_ancestors(unit),
            "children": unit.children.all(),
        },
    )


unit_import, unit_import_template = _import_views(
    service=services.units_import,
    template="directory/unit_import.html",
    done="directory:unit-list",
    columns=importing.COLUMNS,
    template_csv=importing.template_csv,
    file_name="units-template.csv",
)
unit_import_template_xlsx = _xlsx_template_view(importing.template_csv, "units-template.xlsx")


# --- topics (诉求分类, R-IN-3) -------------------------------------------------------------


@capability_required(Capability.VIEW_DIRECTORY)
def topic_list(request):
    return _tree_page(
        request,
        tree=selectors.topic_tree,
        page="directory/topic_list.html",
        partial="directory/_topic_tree.html",
    )


topic_import, topic_import_template = _import_views(
    service=services.topics_import,
    template="directory/topic_import.html",
    done="directory:topic-list",
    template_csv=topic_importing.template_csv,
    file_name="topics-template.csv",
)


# --- the dispatch catalog (派单目录, R-HM-9) -----------------------------------------------


@capability_required(Capability.VIEW_DIRECTORY)
def catalog_list(request):
    units = selectors.catalog_units()
    day = selectors.today()
    query = unit_code = ""
    all_versions = False
    if request.GET:
        form = CatalogFilterForm(request.GET, units=units)
        form.is_valid()  # a bad field shows its error; the valid ones still filter
        data = form.cleaned_data
        query, unit_code = data.get("q") or "", data.get("unit") or ""
        day = data.get("on") or day
        all_versions = bool(data.get("all_versions"))
    else:
        form = CatalogFilterForm(initial={"on": day}, units=units)
    items = selectors.catalog_search(
        query=query, unit_code=unit_code, on=None if all_versions else day
    )
    page = Paginator(items, CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "day": day,
        "all_versions": all_versions,
        "can_manage": can(request.user, Capability.MANAGE),
    }
    template = "directory/_catalog_results.html" if request.htmx else "directory/catalog_list.html"
    return render(request, template, context)


@capability_required(Capability.VIEW_DIRECTORY)
def catalog_detail(request, code: str):
    versions = selectors.catalog_versions(code=code)
    if not versions:
        raise Http404(_("No such catalog item."))
    day = selectors.today()
    current = next((v for v in versions if v.in_force_on(day)), None)
    return render(
        request,
        "directory/catalog_detail.html",
        {"item": current or versions[0], "current": current, "versions": versions, "day": day},
    )


@capability_required(Capability.VIEW_DIRECTORY)
def catalog_suggest(request):
    """An htmx partial: the catalog items whose keywords occur in `text` (R-HM-9)."""
    text = request.GET.get("text", "")[:2000]
    day = tables.parse_date(request.GET.get("on", "")) or selectors.today()
    return render(
        request,
        "directory/_catalog_suggest.html",
        {
            "text": text.strip(),
            "day": day,
            "suggestions": selectors.catalog_suggest(text=text, on=day),
        },
    )


catalog_import, catalog_import_template = _import_views(
    service=services.catalog_import,
    template="directory/catalog_import.html",
    done="directory:catalog-list",
    columns=catalog_importing.COLUMNS,
    template_csv=catalog_importing.template_csv,
    file_name="catalog-template.csv",
)
