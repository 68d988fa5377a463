app_name = "recovery_plans"

urlpatterns = []
