from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # static() at request time: in production the manifest exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("tickets/favicon.svg"))


MODULES = ("fleet", "offices", "canteen")


def module_urls(route: str, urlconf: str) -> list[URLResolver]:
    # include() imports the URLconf at once, and a module's views import its models: only installed modules.
    return [
        path(route.format(label=label), include(urlconf.format(label=label)))
        for label in MODULES
        if apps.is_installed(label)
    ]


urlpatterns = [
    # Pages without our <link rel="icon"> (the admin, the API's browsable pages) make browsers ask for this.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("tickets.api.urls")),
    # A module's API and pages are served only when it is installed: the product runs without any of them.
    *module_urls("api/v1/{label}/", "{label}.api_urls"),
    path("api/v1/reports/", include("tickets.reports.api_urls")),
    path("api/v1/assessment/", include("tickets.assessment.api_urls")),
    path("api/v1/maintenance/", include("tickets.maintenance.api_urls")),
    path("reports/", include("tickets.reports.urls")),
    path("reports/", include("tickets.assessment.urls")),
    path("maintenance/", include("tickets.maintenance.urls")),
    *module_urls("{label}/", "{label}.urls"),
    path("", include("tickets.web.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

admin.site.site_header = "机关事务服务台"
admin.site.site_title = "机关事务服务台"

handler400 = "servicedesk.api.handler400"
handler404 = "servicedesk.api.handler404"
