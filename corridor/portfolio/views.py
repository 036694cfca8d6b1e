# Placeholder: replaced by the dashboard/list pages work.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("todo")


dashboard = project_list = project_export_csv = project_export_iati = project_create = _todo
project_detail = project_edit = project_transition = project_publish = _todo
innovation_list = innovation_export_csv = innovation_detail = figure_list = _todo
