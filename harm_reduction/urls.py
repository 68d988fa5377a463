app_name = "harm_reduction"

urlpatterns = []
