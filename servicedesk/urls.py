from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # static() at request time: in production the manifest exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("tickets/favicon.svg"))


urlpatterns = [
    # Pages without our <link rel="icon"> (the admin, the API's browsable pages) make browsers ask for this.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("tickets.api.urls")),
    path("api/v1/fleet/", include("fleet.api_urls")),
    path("api/v1/offices/", include("offices.api_urls")),
    path("api/v1/canteen/", include("canteen.api_urls")),
    path("api/v1/reports/", include("tickets.reports.api_urls")),
    path("api/v1/assessment/", include("tickets.assessment.api_urls")),
    path("reports/", include("tickets.reports.urls")),
    path("reports/", include("tickets.assessment.urls")),
    path("fleet/", include("fleet.urls")),
    path("offices/", include("offices.urls")),
    path("canteen/", include("canteen.urls")),
    path("", include("tickets.web.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

admin.site.site_header = "机关事务服务台"
admin.site.site_title = "机关事务服务台"

handler404 = "servicedesk.api.handler404"
