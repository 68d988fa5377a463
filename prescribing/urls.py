app_name = "prescribing"

urlpatterns = []
