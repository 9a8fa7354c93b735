from django.urls import path

from hotline.intelligence import views

app_name = "intelligence"
urlpatterns = [
    path("hotspots/", views.hotspots, name="hotspots"),
    path("kind-review/", views.kind_review, name="kind-review"),
    path("fill/", views.fill, name="fill"),
    path("model/", views.model_drift, name="model"),
]
