"""Text participants may send that tries to break a rendering: markup and script, mentions,
Markdown that would break out of its line, right-to-left text and emoji. The render,
archive and browser tests check that each shows as plain text and pings nobody."""

SCRIPT = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
PINGS = "@everyone @here <@123> <@&456> look"
BREAKERS = (
    "```\n# heading\n> quote\n- item\n||spoiler|| **bold** [link](javascript:alert(1)) `code`"
)
RTL = "مرحبا بالجميع — שלום לכולם"
EMOJI = "🧪🙌🏽👩‍🏫"
