from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_consultation_kinds'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('task_given', 'Task given'), ('task_returned', 'Task returned'), ('extension_asked', 'More time asked for'), ('extension_decided', 'More time decided'), ('reminder_before', 'Deadline coming'), ('reminder_overdue', 'Deadline passed'), ('escalation', 'Still overdue'), ('approval_awaiting', 'Draft awaiting approval'), ('consultation_invited', 'Comments asked on a draft'), ('consultation_due', 'Comments on a draft awaited'), ('package_received', 'Package received through the exchange'), ('network_problem', 'Exchange network alert'), ('network_resolved', 'Exchange network alert resolved')], max_length=20),
        ),
    ]
