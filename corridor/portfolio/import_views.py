"""Pages for importing projects from CSV and XLSX: upload, template download, progress."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import TaskResultStatus

from corridor.accounts.models import Organisation
from corridor.portfolio import import_jobs, imports, permissions
from corridor.portfolio.models import ImportJob
from corridor.portfolio.tasks import import_projects


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A CSV (UTF-8) or Excel (.xlsx) file laid out like the template."),
    )
    owner = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=gettext_lazy("Record new projects for"),
        help_text=gettext_lazy(
            "New projects belong to this organisation unless their row names another owner."
        ),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations
        self.fields["owner"].empty_label = gettext_lazy("— named in each row —")
        if organisations is not None and organisations.count() == 1:
            self.fields["owner"].initial = organisations.first()
            self.fields["owner"].empty_label = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s bytes; the largest file Corridor imports is %(limit)s "
                    "bytes. Split it into smaller files."
                )
                % {"size": upload.size, "limit": settings.IMPORT_MAX_BYTES}
            )
        return upload


@login_required
def import_start(request):
    organisations = permissions.project_owners(request.user)
    if not organisations.exists():
        raise PermissionDenied(
            _(
                "Only the initiative's staff and members of an enterprise, a government agency "
                "or a partner organisation import projects."
            )
        )
    context = {"columns": imports.column_help(), "report": None}
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        started = import_jobs.start_import(
            actor=request.user,
            name=upload.name,
            content=upload.read(),
            owner=form.cleaned_data["owner"],
        )
        if started.job is not None:
            return redirect("portfolio:import_status", job_id=started.job.pk)
        context["report"] = started.report
        if started.report.ok:
            form = ImportForm(organisations=organisations)
    # A refused file (unreadable, hostile or with bad rows) answers 400 with every problem.
    refused = context["report"] is not None and not context["report"].ok
    return render(
        request, "portfolio/import.html", {**context, "form": form}, status=400 if refused else 200
    )


def import_template(request, fmt: str):
    if fmt == "csv":
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            imports.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404(_("The template comes as csv or xlsx."))
    response["Content-Disposition"] = f'attachment; filename="corridor-projects-template.{fmt}"'
    return response


def _task_failed(job: ImportJob) -> bool:
    """The worker recorded the task as failed before the job could say so itself."""
    if not job.task_id:
        return False
    try:
        result = import_projects.get_result(job.task_id)
    except Exception:  # the backend keeps no results, or forgot this one
        return False
    return result.status == TaskResultStatus.FAILED


@login_required
def import_status(request, job_id):
    job = permissions.import_jobs_visible_to(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404(_("No such import."))
    failed = job.status == ImportJob.Status.FAILED or (job.is_running and _task_failed(job))
    report = None
    if job.status == ImportJob.Status.DONE:
        report = imports.ImportReport.from_dict(job.report)
    return render(
        request,
        "portfolio/import_status.html",
        {
            "job": job,
            "report": report,
            "failed": failed,
            "running": job.is_running and not failed,
        },
    )
