import django.db.models.deletion
from django.db import migrations, models


def versions_shared_as_their_document(apps, schema_editor):
    """Until now a version was seen by whoever saw its document."""
    CaseDocument = apps.get_model("cases", "CaseDocument")
    DocumentVersion = apps.get_model("cases", "DocumentVersion")
    for document in CaseDocument.objects.only("pk", "shared_with").iterator():
        if document.shared_with:
            DocumentVersion.objects.filter(document=document).update(
                shared_with=document.shared_with
            )


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0002_case_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentversion",
            name="shared_with",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The party roles (besides the applicant and facilitators) who may see this version: at upload, those of the document the uploader may share with.",
                verbose_name="shared with",
            ),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="document_version",
            field=models.ForeignKey(
                blank=True,
                help_text="Set when the event concerns one version of a document: it is then shown only to those who may see that version.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cases.documentversion",
                verbose_name="document version",
            ),
        ),
        migrations.RunPython(versions_shared_as_their_document, migrations.RunPython.noop),
    ]
