"""The tables, as Tortoise ORM models. Aerich's migrations are written from them."""

from tortoise import fields
from tortoise.models import Model


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=100)
    password_hash = fields.CharField(max_length=200)

    class Meta:
        table = "users"
