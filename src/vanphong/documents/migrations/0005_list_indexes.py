from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0004_document_import"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="document",
            name="documents_d_agency__734d9b_idx",
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["agency", "direction", "-created_at", "-id"], name="document_list_created"),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["agency", "direction", "-arrival_date", "-id"], name="document_list_arrival"),
        ),
    ]
