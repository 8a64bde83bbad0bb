from django.urls import path

from vanphong.hub import node_api, views

app_name = "hub"

urlpatterns = [
    # The IT staff's page (session sign-in, instance operators).
    path("network/", views.network_page, name="network"),
    # The node API (mutual TLS): the national hub's operations under their own names.
    path("api/sendEdoc", node_api.send_edoc, name="send_edoc"),
    path("api/getReceivedEdocList", node_api.received_list, name="received_list"),
    path("api/getSentEdocList", node_api.sent_list, name="sent_list"),
    path("api/getEdoc", node_api.get_edoc, name="get_edoc"),
    path("api/acknowledgeEdoc", node_api.acknowledge, name="acknowledge"),
    path("api/countReceiveEdoc", node_api.count_edoc, name="count_edoc"),
    path("api/countReceiveStatus", node_api.count_status, name="count_status"),
    path("api/getAgencies", node_api.agencies, name="agencies"),
    path("api/reportNodeStatus", node_api.report_status, name="report_status"),
]
