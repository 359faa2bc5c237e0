from fastapi import FastAPI

from boca.middleware import CORSMiddleware, HSTSMiddleware

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}


app.add_middleware(HSTSMiddleware, include_subdomains=True)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_methods=["GET", "POST", "DELETE"],
    allow_headers=["Authorization"],
    allow_credentials=True,
)
