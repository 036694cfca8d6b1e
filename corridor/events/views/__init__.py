"""The event pages: thin views that parse, call a query or a service, and render.

Every read starts from `Event.objects.visible_to(request.user)` (through
`queries.event_visible`), so a draft event answers 404 to people who may not see it, like
one that does not exist. Every write goes through `corridor.events.services`, which checks
permission (`corridor.events.permissions`); a refusal is a `PermissionDenied` that the site's
403 page shows with its reason, and a write that fails validation shows the page again with
the person's values and the error beside the field it names (status 400, nothing typed is
lost: `corridor.core.views.post_form`).

One module per part of the event's life: `events` (the list, creating, the event page),
`participants`, `meetings` (requests and meetings), `schedule` (the scheduler and the table
plan), `agendas` (page, PDF, calendar file) and `outcomes` (after the event); `shared` holds
what they all use. Slots are 0-based numbers in the code; people only ever see them as times
("Tue March 10, 09:00–09:20").
"""
