### The admin interface, in English. Every key here must also be in
### locales/fr/main.ftl (a test checks both have the same keys).

## The layout of every page
nav-label = Main menu
nav-skip = Skip to the content
nav-dashboard = Dashboard
nav-history = History
nav-builds = Builds
nav-users = Users
nav-account = Your account
nav-logout = Log out
role-admin = administrator
role-editor = editor
role-reviewer = reviewer
crumbs-label = You are here
crumbs-dashboard = Dashboard

## Signing in
login-title = Log in
login-username = Username
login-password = Password
login-submit = Log in
login-refused = That username and password do not match an account.
login-throttled = Too many failed logins. Wait { $seconds ->
    [one] one second
   *[other] { $seconds } seconds
  }, then try again.

## Counts
changes-waiting = { $count ->
    [one] { $count } change waiting
   *[other] { $count } changes waiting
  }
documents-count = { $count ->
    [one] { $count } document
   *[other] { $count } documents
  }

## The dashboard
dashboard-collections = Collections
dashboard-no-collections = This site declares no collections in its configuration.
dashboard-site = Your site

## A collection's page
collection-new = New page
collection-empty = No documents yet.
collection-cannot-edit = cannot be edited: { $why }

## A new document
new-title = New page
new-refused = The page could not be created
new-field-title = Title
new-field-slug = Address
new-optional = (optional)
new-slug-hint = The last part of the page's web address; a / puts it in a folder (guides/first-steps). Left empty, it is made from the title.
new-submit = Create the page
new-no-title = Give the new page a title.
new-no-slug = This title has no letters or digits to make an address from: give an address, such as street-trees.
new-bad-slug = An address can only hold letters, digits and dashes, such as street-trees, and / between folders, such as guides/street-trees; this one has an empty folder name, a name starting with a dot or a hidden character.
new-long-slug = This address is too long: shorten it (at most 200 letters between two /, fewer with accented letters, and at most 16 folders).
# Between a field's name and what is wrong with it, in the error summary.
label-colon = :
new-taken = A page with the address { $slug } already exists. Choose another address.
new-created = Created “{ $title }”. Fill in its fields below and save.

## Deleting a document
delete-title = Delete “{ $title }”?
delete-explain = The page will no longer be part of the site once it is published again. Its history keeps every version: an editor can bring it back from there.
delete-submit = Delete this page
delete-keep = Keep it
delete-done = Deleted. The page is gone from the site; its history keeps every version, and an editor can bring it back from there.
delete-stale = This page was changed since you asked to delete it, so nothing was deleted. Open it again to see the change, then delete it if you still want to.

## A document's form
doc-history = History of this page
doc-delete = Delete this page
doc-errors-title = Some values could not be saved
doc-conflicts-title = Changed by someone else while you were editing
doc-conflict-field = Field
doc-conflict-theirs = Their value (now saved)
doc-conflict-yours = Your value (in the form below)
doc-readonly-value = This value has a structure the form cannot edit; it is kept as it is.
doc-one-per-line = One item per line.
doc-not-set = (not set)
doc-yes = yes
doc-no = no
doc-body = Text
doc-save = Save
doc-read-only = Your account can read this page but not change it.
doc-saved = Saved: { $fields }.
doc-saved-merged = Someone else changed this page while you were editing; their changes to other fields were kept.
doc-saved-local-edits = The site's working copy has local edits to this file, so it was left as it was; your change is committed.
doc-unchanged = No changes to save.
doc-conflict = This page was changed while you were editing, in the same fields as you. Nothing was saved. Their values are shown beside yours: keep yours and save again, or change them.
doc-conflict-by = This page was changed by { $name } at { $time } while you were editing, in the same fields as you. Nothing was saved. Their values are shown beside yours: keep yours and save again, or change them.
doc-invalid = Some values could not be saved, so nothing was saved. Each is marked below with what to change; everything you typed is kept.
doc-cannot-edit = This file cannot be edited here: { $why }.
doc-broken = The front matter of this file cannot be read (line { $line }: { $message }). It is shown as it is and cannot be edited here; fix it in the repository.
doc-broken-no-line = The front matter of this file cannot be read ({ $message }). It is shown as it is and cannot be edited here.
doc-no-base = The form is missing the version it was made from. Reload the page and try again.

## Your account
account-title = Your account
account-you-are = You are { $username } ({ $role }).
account-language = Language
account-language-hint = The language of this interface. “As my browser” follows your browser's setting.
account-language-browser = As my browser
account-language-save = Save the language
account-language-saved = The language was saved.
account-language-unknown = Choose one of the languages offered.
account-errors = Nothing was changed. Please correct the fields marked below.
account-profile = Name and email
account-profile-explain = Your changes to the site are recorded under this name and email.
account-name = Your name
account-email = Email
account-save = Save
account-password = Password
account-current-password = Current password
account-new-password = New password
account-min-length = (at least 12 characters)
account-password-again = The new password again
account-change-password = Change password
account-profile-saved = Your name and email are saved.
account-password-changed = Your password is changed. You were logged out everywhere else.
account-password-throttled = Too many wrong passwords. Wait { $seconds ->
    [one] one second
   *[other] { $seconds } seconds
  }, then try again.
account-wrong-password = That is not your current password.

## Error pages
error-back = Back to the dashboard
error-title-400 = Bad Request
error-title-403 = Forbidden
error-title-404 = Not Found
error-title-405 = Method Not Allowed
error-title-409 = Conflict
error-title-412 = Precondition Failed
error-title-413 = Payload Too Large
error-title-422 = Unprocessable Content
error-title-429 = Too Many Requests
error-title-500 = Internal Server Error
error-title-503 = Service Unavailable
error-internal = Something went wrong on the server. Nothing was changed. Please try again; if it keeps happening, tell your site maintainer.
error-no-route = There is no page at this address.
error-role = Your account cannot open this page or make this change. If you need to, ask an administrator.
error-no-collection = There is no collection named { $what }.
error-no-page = There is no page { $what }.
error-unknown-base = This form was made from a version of the page that no longer exists. Reload the page and make your change again.
error-not-editable = This page cannot be saved: { $what }.
error-locked = Another program is writing to the site's repository right now. Nothing was saved; please try again in a moment.
error-busy = The site changed while saving. Nothing was saved; please try again.
error-conflict = Someone else changed the same parts of this page ({ $what }). Nothing was saved.
error-stale = This page was changed since you opened it. Nothing was changed; open it again to see the new version.
error-exists = { $what } already exists. Nothing was saved.
error-invalid = Some values cannot be written:
error-unsupported = Cairn cannot do that yet: { $what }. Nothing was changed.
error-last-admin = Nothing was changed: the site must keep at least one active administrator.
error-csrf = This form has expired or did not come from this site. Nothing was changed. Go back, reload the page and try again.
error-not-a-form = Expected a form submission.
error-bad-form = The form could not be read. Nothing was changed; reload the page and try again.
error-too-large-mb = The form is too large to save: it may hold at most { $size } MB. Nothing was changed; what you typed is still in the page you came from.
error-too-large-kb = The form is too large to save: it may hold at most { $size } KB. Nothing was changed; what you typed is still in the page you came from.

## Checks of what people type in account and token forms
field-username = A username has 1 to 64 letters, digits, dots, dashes or underscores.
field-display-name = A name has at most 200 characters and no “<”, “>” or line breaks.
field-email = That email address is not valid: it looks like name@example.org.
field-passwords-differ = The two passwords are not the same.
field-password-long = The password is longer than { $bytes } bytes.
field-password-short = The password must have at least { $count } characters.
field-token-name = A token name has 1 to 100 characters and no “<”, “>” or line breaks.
field-token-admin = An API token is for an editor or a reviewer.
field-token-reviewer = { $username } is a reviewer: their tokens can only read.
field-role = Unknown role { $role }: choose administrator, editor or reviewer.

## Users, tokens and the security log (administrators)
users-title = Users
users-security-log = Security log
users-tokens = API tokens
users-username = Username
users-name = Name
users-email = Email
users-role = Role
users-status = Status
users-last-login = Last login
users-never = never
users-add = Add a user
users-add-explain = Cairn makes a one-time link, valid 24 hours, for the new user to choose their password.
users-add-refused = The user was not created. Please correct the fields marked below.
users-add-submit = Add user
user-status-active = active
user-status-disabled = disabled
user-status-waiting = waiting for a password
user-all = All users
user-link-explain = Give this link to { $name } to choose a password. It works once, for 24 hours, and is not shown again:
user-change-role = Change role
user-access = Access
user-enable = Enable this account
user-disable = Disable this account
user-reset = Reset password
user-access-explain = Disabling, a role change or a reset logs the user out everywhere. A reset voids the current password and makes a new one-time link.
user-none = There is no user { $username }.
user-role-unchanged = The role is unchanged.
user-role-changed = { $username } is now { $role }; their sessions were ended.
user-disabled = { $username } is disabled and logged out.
user-enabled = { $username } can log in again.
tokens-title = API tokens
tokens-new-secret = The new token. Copy it now: it is not shown again.
tokens-id = Id
tokens-name = Name
tokens-owner = Commits as
tokens-created = Created
tokens-expires = Expires
tokens-last-used = Last used
tokens-actions = Actions
tokens-own-name = (the token's own name)
tokens-status-active = active
tokens-status-revoked = revoked
tokens-status-expired = expired
tokens-revoke = Revoke
tokens-new = New token
tokens-refused = No token was made. Please correct the fields marked below.
tokens-purpose = What it is for
tokens-role-reviewer = reviewer (reads)
tokens-role-editor = editor (reads and writes)
tokens-authored-by = Commits are authored by
tokens-expires-after = Expires after (days; empty: never)
tokens-make = Make token
tokens-choose-role = Choose editor or reviewer.
tokens-no-owner = There is no active user { $username }.
tokens-bad-days = A number of days, 1 or more (or empty: never).
tokens-revoked = Token { $id } is revoked.
tokens-already-revoked = That token was already revoked.
log-when = When
log-event = Event
log-account = Account
log-by = By
log-from = From
log-detail = Detail
log-older = Older events
event-login = login
event-login-failed = login failed
event-login-throttled = login throttled
event-logout = logout
event-user-created = user created
event-role-changed = role changed
event-user-disabled = user disabled
event-user-enabled = user enabled
event-password-link-created = password link created
event-password-set-with-a-link = password set with a link
event-password-changed = password changed
event-profile-changed = profile changed
event-token-created = token created
event-token-revoked = token revoked

## The first administrator, and one-time password links
setup-title = Create the first administrator
setup-explain = This account can add editors and reviewers later. Your name and email appear as the author of the changes you make.
setup-refused = The account was not created. Please correct the fields marked below.
setup-submit = Create account
setup-welcome = Welcome! Your administrator account is ready.
setup-dead-link = This setup link is not valid: it was already used, or it is not the one Cairn printed at start-up.
set-password-title = Choose your password
set-password-for = For the account { $username }. This link works once.
set-password-again = The same password again
set-password-submit = Set my password
set-password-done = Your password is set. You can log in now.
set-password-dead-link = This link to set a password is not valid: it was already used, it is more than 24 hours old, or a newer one was made. Ask an administrator for a new link.

## Builds
builds-title = Builds
builds-off = Cairn runs no builds for this site (no build command or build hook is configured); the remote's own build, if any, runs when it receives a push.
builds-none = No builds yet.
builds-all = All builds
build-title = Build #{ $id }
build-none = There is no build { $id }.
build-run = Run
build-commit = Commit
build-started = Started
build-ended = Ended
build-status = Status
build-exit-code = Exit code
build-why = Why
build-log = Log
build-log-last = (the last part)
build-running = Running
build-succeeded = Succeeded
build-failed = Failed
build-timed-out = Timed out
build-interrupted = Interrupted (Cairn stopped during the build)
build-unknown = Unknown
build-why-push = after a push
build-why-commit = after a commit
build-why-fetch = after taking in the remote's changes
build-why-restart = again after a restart (the run before was cut short)
build-why-other = other

## The dashboard's publishing and builds
dash-publishing = Publishing
dash-paused = Publishing is paused: { $reason }.
dash-published = All changes are on the site (published { $when }).
dash-nothing-published = Nothing published to { $remote } since Cairn started.
dash-waiting = { $count ->
    [one] { $count } change waiting to publish.
   *[other] { $count } changes waiting to publish.
  }
dash-failing = The last attempt to publish failed ({ $error }).
dash-stopped = Cairn stopped trying after { $count } refusals; it tries again with the next change. Check the remote's credentials.
dash-removed = (removed)
dash-build-failed = Last build failed:
dash-build-timed-out = Last build failed (timed out):
dash-build-link = build #{ $id } of { $commit }
dash-build-saving-goes-on = Saving goes on as usual.
dash-building = Building { $commit } now:
dash-build-follow = follow build #{ $id }
dash-build-last = Last build: { $status },
dash-conflicts = What conflicts with the remote
dash-conflicts-explain = Cairn's changes and changes pushed to the remote changed these differently. Both sides are kept as they are. Choose which version to keep for each, or make them agree (here or on the remote): publishing resumes once nothing conflicts.
dash-conflict-file = File
dash-conflict-what = What
dash-conflict-ours = Here, in Cairn
dash-conflict-theirs = On the remote
dash-keep-ours = Keep Cairn's
dash-keep-theirs = Keep the remote's
dash-merge = Merge with these choices
ago-now = just now
ago-minutes = { $count ->
    [one] a minute ago
   *[other] { $count } minutes ago
  }
ago-hours = { $count ->
    [one] an hour ago
   *[other] { $count } hours ago
  }

## History
history-title = History
history-of = History of “{ $page }”
history-author = Author
history-author-hint = part of a name or email
history-collection = Collection
history-document = Document
history-since = Since
history-until = Until
history-filter = Filter
history-none = No changes found.
history-restore = Restore this version
history-older = Older changes
history-bad-day = “{ $which }” must be a date like 2026-01-31, not “{ $value }”. Nothing is listed until it is corrected.
history-document-needs-collection = Choose the document's collection too.
history-no-commit = There is no change { $sha }.
history-nothing-to-change = Nothing to change: it is already that way.
history-not-a-version = That is not a version of this page.
history-restored = Restored the old version (commit { $commit }).
history-reverted = Reverted the change (commit { $commit }).
history-revert-conflict = This change cannot be reverted automatically: { $fields } changed again since. Nothing was changed; edit the page by hand instead.
commit-by = By { $author } · { $when }
commit-binary = Not a text file.
commit-merge-explain = This change joined Cairn's history with the remote's. To undo part of it, restore a document's earlier version from its history.
commit-revert = Revert this change
commit-absent = (absent)
commit-empty = (empty)

## Settling conflicts with the remote
settle-bad-choice = { $choice } is not a choice: choose Cairn's version or the remote's.
settle-no-choice = Nothing was merged: choose which version to keep for at least one conflict.
settle-merged = Merged with your choices; publishing goes on.
settle-left = { $count ->
    [one] Nothing was merged yet: 1 conflict still needs a choice.
   *[other] Nothing was merged yet: { $count } conflicts still need a choice.
  }

## Sessions that end while editing
session-ended-kept = Your session ended; sign in again to save your changes. They are kept until you do (for an hour).

## Unsaved changes kept in the browser
draft-found = This browser kept changes to this page that were never saved.
draft-restore = Put them back in the form
draft-discard = Throw them away

## Dates and times
datetime = { $day } { $month } { $year }, { $hour }:{ $minute } { $zone }
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
account-zone = Time zone
account-zone-hint = Times are shown in this zone; hover over one to see it in UTC.
account-zone-site = The site's ({ $zone })
account-zone-save = Save the time zone
account-zone-saved = The time zone was saved.
account-zone-unknown = Choose one of the time zones offered.

## Confirming a restore or a revert
confirm-cancel = Cancel
confirm-back = Back
restore-title = Restore this version?
restore-explain = The page will be as it was in this version. This is what will change, from now to then:
revert-title = Undo this change?
revert-explain = These changes will be undone, and nothing else: what changed since is kept.
dash-no-remote = Every change is saved in the site's history. This site does not publish to a remote.
dash-paused-conflict = Publishing is paused: Cairn's version and the remote's disagree about { $titles }.
dash-paused-admin = Choose below which version to keep.
dash-paused-editor = An administrator has been asked to choose; your changes are kept meanwhile.
dash-saving-goes-on = Saving goes on; every change is kept and published once the remote takes it.
tokens-none = No API tokens yet.
history-headline = { $change ->
        [added] Created “{ $title }”
        [deleted] Deleted “{ $title }”
        [renamed] Renamed “{ $title }”
        [restored] Restored an earlier version of “{ $title }”
        [reverted] Undid a change to “{ $title }”
       *[modified] Changed “{ $title }”
    }{ $others ->
        [0] {""}
        [one] {" "}and 1 other file
       *[other] {" "}and { $others } other files
    }
history-file-added = Created
history-file-modified = Changed
history-file-deleted = Deleted
history-file-renamed = Renamed
history-fields = Changed: { $fields }
commit-details = Details
commit-details-id = Commit
commit-details-time = Time (UTC)
commit-details-author = Author
commit-details-committer = Recorded by
commit-details-files = Files
commit-details-message = Message as recorded
commit-field = Field
commit-change = Before → after
commit-text-changes = Changes in the text
commit-lines-skipped = … unchanged lines left out …
commit-line-added = added:
commit-line-removed = removed:
dash-view-site = View the site
dash-recent = Last changes
dash-all-changes = All changes
doc-required = (required)
doc-choose = Choose…
doc-not-an-option = { $value } (not one of the options)
rule-required = A value is required.
rule-pattern = “{ $value }” is not in the expected form.
rule-option = “{ $value }” is not one of the options.
rule-number = “{ $value }” is not a number.
rule-integer = “{ $value }” is not a whole number.
rule-min = At least { $min }.
rule-max = At most { $max }.
rule-min-items = { $min ->
        [one] At least one item.
       *[other] At least { $min } items.
    }
rule-max-items = { $max ->
        [one] At most one item.
       *[other] At most { $max } items.
    }
dash-config-title = The site's configuration
dash-config-explain = Cairn could not use these parts of the site's configuration files. The forms use what the documents show instead; everything else keeps working.
dash-config-line = { $file }, line { $line }: { $what }
dash-config-file = { $file }: { $what }
error-no-create = This site's configuration does not let Cairn add pages to this collection.
error-no-delete = This site's configuration does not let Cairn delete pages of this collection.
rule-date = “{ $value }” is not a date (2026-01-31).
collection-new-named = New: { $what }
collection-title = Title
collection-range = Documents { $first }–{ $last } of { $total }
collection-pages = Pages
collection-previous = Previous page
collection-next = Next page

# Nested values: lists of objects and objects in the form.
nested-item = { $label } { $n }
nested-add = Add: { $label }
nested-up = Move up
nested-down = Move down
nested-remove = Remove

rule-relation = “{ $value }” is not among the entries to choose from.
rule-min-length = { $min ->
        [one] At least one character.
       *[other] At least { $min } characters.
    }
rule-max-length = { $max ->
        [one] At most one character.
       *[other] At most { $max } characters.
    }
# Relation fields: entries of another collection or of a data file.
relation-missing = “{ $value }” is no longer among the entries; it is kept until someone changes it.
relation-gone = { $value } (no longer exists)
relation-find = Find
relation-search = Type to search, then choose.

# The Markdown editor: toolbar and preview.
md-toolbar = Formatting
md-bold = Bold
md-italic = Italic
md-link = Link
md-heading = Heading
md-list = List
md-quote = Quote
md-preview = Preview
md-preview-title = Preview
md-preview-note = As the site will show the text, without its layout. Liquid tags are shown as written.
md-bold-sample = bold text
md-italic-sample = italic text
md-link-sample = link text

doc-rename-title = Rename or move
doc-rename-field = New address
doc-rename-hint = The page's file name without its extension; a / puts it in a folder (guides/first-steps). Its history follows it.
doc-rename-submit = Rename
doc-renamed = Renamed: the page is now { $slug }.

# What Cairn did not use in the site's configuration files (dashboard, for admins).
config-not-utf8 = the file is not UTF-8 text; it is not used.
config-yaml = the file cannot be read as YAML ({ $detail }); it is not used.
config-unknown-setting = “{ $key }” is not a setting Cairn reads; it is ignored.
config-collections-shape = “collections” must be a list or a mapping; it is ignored.
config-collection-shape = a collection must be a mapping; it is ignored.
config-collection-no-name = a collection has no name; it is ignored.
config-collection-folder = collection “{ $name }”: the folder “{ $folder }” is not a Jekyll collection of this site; it is ignored.
config-collection-no-folder = collection “{ $name }” has no folder (file collections are not read); it is ignored.
config-collection-unknown = collection “{ $name }”: “{ $key }” is not read; it is ignored.
config-fields-shape = “fields” must be a list; it is ignored.
config-field-shape = a field must be a mapping; it is ignored.
config-field-no-name = a field has no name; it is ignored.
config-pattern-bad = field “{ $name }”: the pattern “{ $regex }” is not a regular expression; it is ignored.
config-pattern-shape = field “{ $name }”: a pattern is [regular expression, message]; it is ignored.
config-option-no-value = field “{ $name }”: an option has no value; it is ignored.
config-option-shape = field “{ $name }”: an option must be a text or {"{"}label, value{"}"}; it is ignored.
config-options-shape = field “{ $name }”: the options must be a list; they are ignored.
config-widget-later = field “{ $name }”: Cairn has no “{ $widget }” widget yet; the field is edited as its values suggest.
config-widget-unknown = field “{ $name }”: there is no “{ $widget }” widget; the field is edited as its values suggest.
config-field-unknown = field “{ $name }”: “{ $key }” is not read; it is ignored.
config-datetime = field “{ $name }”: a date with a time is edited as text, so the time is kept.

collection-filter = Filter
collection-filter-submit = Show
collection-matching = { $count ->
        [one] One document matches.
       *[other] { $count } documents match.
    }
collection-none-match = No document matches this filter.
md-preview-of = Preview of “{ $field }”

nav-media = Media
# The media library.
media-title = Media library
media-count = { $count ->
        [0] No file yet
        [one] One file
       *[other] { $count } files
    }
media-folders = in { $folders }
media-empty = There is no file in the media folders yet.
media-file = File
media-size = Size
media-used-by = Used by
media-unused = Not used by any page
media-bytes = { $n } bytes
media-kb = { $n } KB
media-mb = { $n } MB
media-dimensions = { $w } × { $h } px

media-upload = Add a file
media-upload-folder = Folder
media-upload-hint = An image (JPEG, PNG, GIF, WebP, AVIF, SVG), a PDF or a video (MP4, WebM), up to { $size } MB.
media-upload-submit = Add
media-added = Added: the site shows it at { $path }.
media-no-file = Choose a file to add.
media-empty-file = The file is empty. Nothing was added.
media-bad-name = “{ $name }” cannot be a file name: it holds a folder separator or a hidden character. Rename the file and add it again.
media-bad-extension = “{ $name }” is not a kind of file the site takes: images (JPEG, PNG, GIF, WebP, AVIF, SVG), PDF and videos (MP4, WebM).
media-unknown-type = “{ $name }” is not what its name says: its content is not an image, a PDF or a video the site takes. Nothing was added.
media-type-mismatch = “{ $name }” is named like another kind of file than it is (its content is { $extension }). Rename it with the right extension and add it again.
media-unsafe-svg = This SVG drawing contains a script, an event handler or a link to another site, which the site must not serve. Nothing was added; export it again without them.
media-too-large = The file is larger than { $size } MB, the largest the site takes. Nothing was added.

media-actions = Actions
media-delete = Delete
media-deleted = Deleted { $path }. It stays in the history: its change can be undone from the history.
media-in-use = { $name } cannot be deleted: { $count ->
        [one] the page { $pages } uses it.
       *[other] the pages { $pages } use it.
    } Remove it from { $count ->
        [one] that page
       *[other] those pages
    } first. Nothing was deleted.

media-drop = Drop a file here
media-field-no-image = No image yet.
media-field-no-file = No file yet.
media-field-upload-image = Upload a new image
media-field-upload-file = Upload a new file
media-field-choose = Choose from the library
media-field-remove-image = Remove the image
media-field-remove-file = Remove the file
media-choose-search = Search the library
media-choose-find = Search
media-choose-keep-none = Keep: no file
media-choose-keep = Keep { $name }
media-choose-none = No file of the library matches.
media-choose-shown = { $total ->
    [one] One file.
   *[other] { $shown } of { $total } files shown; search to find others.
}
media-alt-hint = Describe what the image shows for someone who cannot see it, in a sentence: what matters on this page, not “image of”.
media-alt-remembered = Filled in from another page that uses this image: check that it fits here, then save.
media-alt-decorative = Decorative image: it adds nothing to the text, no description needed
media-pending = { $name } will be added when you save.
media-upload-gone = The file chosen earlier is no longer kept (after a day). Choose it again.
media-unreadable-image = “{ $name }” could not be read as an image (it may be damaged), so its personal details (such as where it was taken) could not be removed. Nothing was added; export it again.
media-keep-metadata = Keep the photo's location and camera details
media-replace = Replace a file of the same name (the history keeps the old one)
rule-alt-missing = Describe the image, or tick “Decorative image” if it adds nothing to the text.
media-choose-all = { $total ->
    [one] One file.
   *[other] { $total } files.
}
media-rename = Rename
media-rename-to = New name
media-rename-pages = The pages that use it will use the new name.
media-rename-submit = Rename
media-renamed = Renamed { $from }: the site shows it at { $path }.
media-rename-type = “{ $name }” would change the kind of file; keep its extension.
media-name-taken = “{ $name }” is already the name of a file in this folder. Choose another name.
media-resize = If the image is larger than { $px } pixels on its longest side, add a copy of that size (recommended: large photos are slow to load)
media-pending-resized = { $name } ({ $w } × { $h } px, resized from { $fw } × { $fh }) will be added when you save.
config-media-type = “{ $type }” in media_types is not a kind of file Cairn takes (jpg, png, gif, webp, avif, svg, pdf, mp4, webm); it is left out.
media-type-not-allowed = “{ $name }” is a kind of file this site does not take. It takes: { $types }.
media-avif-metadata = “{ $name }” carries details about the photo (such as where it was taken) that Cairn cannot remove from an AVIF file. Export it again without them, or as JPEG, or tick “Keep the photo's location and camera details”.

## Search
search-title = Search
search-label = Words to find
search-placeholder = Search the site
search-button = Search
search-collection = Collection
search-any-collection = All collections
search-field = In
search-any-field = Anywhere
search-hint = Every word must be found; “quotes” keep words together. Word forms and accents do not matter: “villes” finds “ville”.
search-results = { $count ->
    [0] Nothing found for “{ $query }”. Try fewer or other words.
    [one] One page found for “{ $query }”.
   *[other] { $count } pages found for “{ $query }”.
}
search-pages = Result pages
search-previous = Previous results
search-next = More results

# "Preview on the site": the page built by the site's own Jekyll.
site-preview = Preview on the site
site-preview-title = Preview on the site
site-preview-note = Built by the site's Jekyll with your changes. Nothing is saved until you press Save.
site-preview-open = Open it in a new tab
site-preview-frame = The page “{ $title }” as the site will show it
site-preview-missing = Preview on the site needs Jekyll, which is not installed on this server (the command “{ $command }” was not found). Ask whoever runs Cairn to install Jekyll, or to name it with --jekyll-command.
site-preview-not-built = Jekyll makes no page for this document: it is unpublished, dated in the future, or its collection has no pages of its own.
site-preview-failed = Jekyll could not build the page. What it printed:
site-preview-invalid = Some values cannot be previewed: see the messages beside the fields.
site-preview-conflict = Someone else changed the same fields of this page meanwhile. Open the page again to see their version, then preview.

# Site health (cairn check, /site-health): what Jekyll reads differently.
check-bom = The file starts with a byte order mark (an invisible character) before its front matter.
check-bom-jekyll = Jekyll does not see the front matter: it copies the file as it is, and no page is built from it.
check-bom-fix = Save the file as UTF-8 without a byte order mark (most editors call it “UTF-8”, not “UTF-8 with BOM”).
check-broken = The front matter cannot be read: { $why }.
check-broken-jekyll = Jekyll stops with an error on this file, or builds it without its fields.
check-broken-fix = Correct the YAML at this line (a missing quote or bracket, a tab used to indent).
check-duplicate = A key is given twice: { $why }.
check-duplicate-jekyll = Jekyll keeps only the last value; the first one is silently ignored.
check-duplicate-fix = Keep one of the two lines and remove the other.
check-tag = The front matter uses a YAML tag: { $why }.
check-tag-jekyll = Jekyll refuses tags such as !ruby/object when it reads front matter: the build fails on this file.
check-tag-fix = Write the value as plain text, a list or a mapping, without the tag.
check-date = The field “{ $field }” is “{ $value }”, which is not a date.
check-date-jekyll = Jekyll cannot read it as a date: for “date” the build fails; elsewhere the value is shown as typed, and sorting and date formats ignore it.
check-date-fix = Write the date as YYYY-MM-DD (for example 2024-03-01), or leave the field empty.
check-outside = The document is in the folder “{ $folder }”, which no collection of the site reads.
check-outside-jekyll = Jekyll ignores folders whose names start with “_” unless they are collections: this page is never built.
check-outside-fix = Move the file into a collection’s folder, or declare the folder as a collection in _config.yml.
check-post = The post’s file name does not start with a date (YYYY-MM-DD-title).
check-post-jekyll = Jekyll does not read it as a post: it is left out of the site.
check-post-fix = Rename the file to start with its date, for example 2024-03-01-title.md.
check-permalink = This page and { $others } are all written at { $address }.
check-permalink-jekyll = Jekyll writes one page over the other: only one of them is on the site, and which one can change from build to build.
check-permalink-fix = Give one of them another permalink or file name.
check-missing = “{ $link }” (in { $field }) points at a file the site does not have.
check-missing-jekyll = Jekyll builds the page anyway: the link or image is broken on the site.
check-missing-fix = Upload the file, or correct the path (it is case-sensitive).
check-relation = “{ $value }” in { $field } names no entry of { $collection } any more.
check-relation-jekyll = Jekyll shows the value as it is: the link to the entry is gone.
check-relation-fix = Choose an existing entry in the form, or remove the value.
check-rule-jekyll = Jekyll builds the page, but it does not follow the site’s content model.
check-rule-fix = Open the page in Cairn and correct the field.
health-title = Site health
health-intro = What Jekyll reads differently from how the files look, at the latest version of the site ({ $commit }).
health-clean = { $files } files checked: Jekyll reads every one as it looks.
health-summary = { $files } files checked: { $findings ->
    [one] one finding
   *[other] { $findings } findings
}.
health-at = line { $line }
health-what = What is wrong
health-jekyll = What Jekyll does
health-fix = What to do
health-open = Open in the form
nav-health = Site health
