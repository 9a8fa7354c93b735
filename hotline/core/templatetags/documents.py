"""`{% load documents %}` … `{{ moment|document_date }}`: dates as documents write them."""

from django import template

from hotline.core import dates

register = template.Library()
register.filter("document_date", dates.document_date)
