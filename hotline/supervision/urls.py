from django.urls import path

from hotline.supervision import views

app_name = "supervision"
urlpatterns = [path("remind/<int:pk>/", views.remind, name="remind")]
