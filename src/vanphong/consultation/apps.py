from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "vanphong.consultation"
    label = "consultation"
    verbose_name = _("Consultation on drafts")
