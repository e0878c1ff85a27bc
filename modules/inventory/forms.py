from django import forms

from .models import Item


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["sku", "name", "category", "karat", "gross_weight", "net_weight", "quantity", "price"]
