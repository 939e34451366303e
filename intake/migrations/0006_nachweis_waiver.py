from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0005_kunde_name_trigram")]

    operations = [
        migrations.AddField(
            model_name="nachweis",
            name="waived_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="Verzicht, Begründung"),
        ),
        migrations.AddField(
            model_name="nachweis",
            name="waived_on",
            field=models.DateField(blank=True, null=True, verbose_name="Verzicht am"),
        ),
    ]
