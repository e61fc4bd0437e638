from ipscore.cli import app

app(prog_name="ipscore")
