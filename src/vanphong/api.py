from ninja import NinjaAPI

api = NinjaAPI(title="VănPhòng API", version="1", urls_namespace="api")
