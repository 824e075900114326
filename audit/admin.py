"""No Django admin for the audit trail.

django-auditlog registers an admin for its entry model, which this project swaps for
`audit.AuditEntry` (entries live in per-study chains, read through the compliance console).
That admin expects auditlog's own fields and answered 500; the console is the one place to read
the trail, so the registration is removed.
"""

from django.contrib import admin

for _model in [m for m in admin.site._registry if m._meta.app_label == "audit"]:
    admin.site.unregister(_model)
