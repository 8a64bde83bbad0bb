from django.db import migrations

ROLES = ["clerk", "leader", "specialist", "personnel", "admin", "ca_operator"]


def create_roles(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code in ROLES:
        Role.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
