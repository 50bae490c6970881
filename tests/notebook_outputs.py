"""What the tests read from a committed notebook: the text its code cells wrote to stdout or stderr."""


def stream_text(cell, name):
    """All the text a code cell wrote to the stream `name` ('stdout' or 'stderr'), in order."""
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == name)
