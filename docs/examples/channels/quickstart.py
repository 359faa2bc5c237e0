import anyio

from boca.channels import Channels


async def main() -> None:
    async with Channels() as channels:  # in memory: this process only
        await channels.publish("items", {"kind": "created", "id": 1})
        async with channels.subscribe("items", history=20) as sub:  # replays id 1 first
            await channels.publish("items", {"kind": "created", "id": 2})
            async for message in sub:
                print(message.channel, message.data)
                if message.data["id"] == 2:
                    break


if __name__ == "__main__":
    anyio.run(main)
