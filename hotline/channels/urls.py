from django.urls import path

from hotline.channels import endpoints, views

app_name = "channels"
urlpatterns = [
    path("online/", views.queue, name="queue"),
    path("online/<int:pk>/", views.review, name="review"),
    path("online/<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("settings/", views.channel_list, name="settings"),
    path("sms/inbound/", endpoints.sms_inbound, name="sms-inbound"),
    path("wechat/", endpoints.wechat_message, name="wechat"),
    path("partner/transfers/", endpoints.partner_transfer, name="partner-transfer"),
    path("partner/transfers/status/", endpoints.partner_status, name="partner-status"),
    path("transfer/<str:number>/", views.transfer, name="transfer"),
]
