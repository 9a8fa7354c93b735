from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, can
from hotline.core.views import capability_required
from hotline.directory import importing, selectors, services
from hotline.directory.forms import UnitImportForm


@capability_required(Capability.VIEW_DIRECTORY)
def unit_list(request):
    query = request.GET.get("q", "").strip()
    context = {
        "tree": selectors.unit_tree(query=query),
        "query": query,
        "can_manage": can(request.user, Capability.MANAGE),
    }
    template = "directory/_tree.html" if request.htmx else "directory/unit_list.html"
    return render(request, template, context)


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


@capability_required(Capability.MANAGE)
def unit_import(request):
    errors = []
    if request.method == "POST":
        form = UnitImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.units_import(
                    actor=request.user, file_name=upload.name, content=upload.read()
                )
            except services.ImportRejected as exc:
                errors = exc.errors
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Imported: %(created)s created, %(updated)s updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("directory:unit-list")
    else:
        form = UnitImportForm()
    status = 400 if errors or form.errors else 200
    return render(
        request,
        "directory/unit_import.html",
        {"form": form, "errors": errors, "columns": importing.COLUMNS},
        status=status,
    )


@capability_required(Capability.MANAGE)
def unit_import_template(request):
    response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="units-template.csv"'
    return response
