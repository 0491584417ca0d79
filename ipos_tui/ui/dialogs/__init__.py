"""Modal dialogs: each returns its answer through ``dismiss``; Esc means cancel."""

from .confirm import ConfirmDialog
from .form import Field, FormDialog
from .menu import MenuScreen
from .text_view import ErrorDialog, TextViewDialog

__all__ = ["ConfirmDialog", "ErrorDialog", "Field", "FormDialog", "MenuScreen", "TextViewDialog"]
