from ir.cli import app

app(prog_name="ir")
