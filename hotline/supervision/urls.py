from django.urls import path

from hotline.supervision import views, views_board, views_staff

app_name = "supervision"
urlpatterns = [
    path("remind/<int:pk>/", views.remind, name="remind"),
    path("issue/<int:pk>/", views.issue, name="issue"),
    path("board.xlsx", views_board.board_xlsx, name="board-xlsx"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>.pdf", views.document_download, name="document"),
    path("criticism/", views.criticism, name="criticism"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin/<str:month>.xlsx", views.bulletin_xlsx, name="bulletin-xlsx"),
    path("bulletin/<str:month>.pdf", views.bulletin_pdf, name="bulletin-pdf"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("staff/", views_staff.staff, name="staff"),
    path("quality/", views_staff.quality_list, name="quality"),
    path("quality/sample/", views_staff.quality_sample, name="quality-sample"),
    path("quality/<int:pk>/", views_staff.quality_score, name="quality-score"),
    path("carry-overs/", views_staff.carry_over_list, name="carry-overs"),
]
