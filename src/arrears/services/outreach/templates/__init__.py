"""Message templates as data: sandboxed Jinja2 in zh and en, versioned in the database, seeded
from the package's files, screened and checked for their required contents when saved, screened
again when rendered."""

from arrears.services.outreach.templates.handlers import SaveTemplate, save_template, seed
from arrears.services.outreach.templates.ports import MessageFacts, MessageRenderer, RenderedMessage
from arrears.services.outreach.templates.renderer import TemplateRenderer
from arrears.services.outreach.templates.rendering import TemplateRefused

__all__ = ["MessageFacts", "MessageRenderer", "RenderedMessage", "SaveTemplate", "TemplateRefused",
           "TemplateRenderer", "save_template", "seed"]
