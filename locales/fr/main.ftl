### L'interface d'administration, en français. Chaque clé doit aussi être
### dans locales/en/main.ftl (un test vérifie que les deux ont les mêmes).

## La mise en page de chaque page
nav-label = Menu principal
nav-skip = Aller au contenu
nav-dashboard = Tableau de bord
nav-history = Historique
nav-builds = Constructions
nav-users = Utilisateurs
nav-account = Votre compte
nav-logout = Se déconnecter
role-admin = administrateur
role-editor = rédacteur
role-reviewer = réviseur
crumbs-label = Vous êtes ici
crumbs-dashboard = Tableau de bord

## Connexion
login-title = Se connecter
login-username = Nom d'utilisateur
login-password = Mot de passe
login-submit = Se connecter
login-refused = Ce nom d'utilisateur et ce mot de passe ne correspondent à aucun compte.
login-throttled = Trop de connexions manquées. Attendez { $seconds ->
    [one] une seconde
   *[other] { $seconds } secondes
  }, puis réessayez.

## Nombres
changes-waiting = { $count ->
    [one] { $count } modification en attente
   *[other] { $count } modifications en attente
  }
documents-count = { $count ->
    [one] { $count } document
   *[other] { $count } documents
  }

## Le tableau de bord
dashboard-collections = Collections
dashboard-no-collections = Ce site ne déclare aucune collection dans sa configuration.
dashboard-site = Votre site

## La page d'une collection
collection-new = Nouvelle page
collection-empty = Aucun document pour l'instant.
collection-cannot-edit = ne peut pas être modifié : { $why }

## Un nouveau document
new-title = Nouvelle page
new-refused = La page n'a pas pu être créée
new-field-title = Titre
new-field-slug = Adresse
new-optional = (facultatif)
new-slug-hint = La dernière partie de l'adresse web de la page ; une / la range dans un dossier (guides/premiers-pas). Laissée vide, elle est tirée du titre.
new-submit = Créer la page
new-no-title = Donnez un titre à la nouvelle page.
new-no-slug = Ce titre n'a ni lettre ni chiffre dont tirer une adresse : donnez une adresse, par exemple arbres-de-rue.
new-bad-slug = Une adresse ne peut contenir que des lettres, des chiffres et des tirets, par exemple arbres-de-rue, et des / entre les dossiers, par exemple guides/arbres-de-rue ; celle-ci contient un nom de dossier vide, un nom qui commence par un point ou un caractère invisible.
new-long-slug = Cette adresse est trop longue : raccourcissez-la (au plus 200 lettres entre deux /, moins avec des lettres accentuées, et au plus 16 dossiers).
# Entre le nom d'un champ et ce qui ne va pas, dans le résumé des erreurs.
label-colon =  :
new-taken = Une page à l'adresse { $slug } existe déjà. Choisissez une autre adresse.
new-created = « { $title } » est créée. Remplissez ses champs ci-dessous, puis enregistrez.

## Supprimer un document
delete-title = Supprimer « { $title } » ?
delete-explain = La page ne fera plus partie du site dès sa prochaine publication. Son historique garde chaque version : un rédacteur peut la rétablir à partir de là.
delete-submit = Supprimer cette page
delete-keep = La garder
delete-done = Supprimée. La page n'est plus sur le site ; son historique garde chaque version, et un rédacteur peut la rétablir à partir de là.
delete-stale = Cette page a été modifiée depuis votre demande de suppression : rien n'a été supprimé. Ouvrez-la de nouveau pour voir la modification, puis supprimez-la si vous le souhaitez toujours.

## Le formulaire d'un document
doc-history = Historique de cette page
doc-delete = Supprimer cette page
doc-errors-title = Certaines valeurs n'ont pas pu être enregistrées
doc-conflicts-title = Modifié par quelqu'un d'autre pendant que vous travailliez
doc-conflict-field = Champ
doc-conflict-theirs = Sa valeur (enregistrée)
doc-conflict-yours = Votre valeur (dans le formulaire ci-dessous)
doc-readonly-value = Cette valeur a une structure que le formulaire ne peut pas modifier ; elle est gardée telle quelle.
doc-one-per-line = Un élément par ligne.
doc-not-set = (aucune valeur)
doc-yes = oui
doc-no = non
doc-body = Texte
doc-save = Enregistrer
doc-read-only = Votre compte peut lire cette page, mais pas la modifier.
doc-saved = Enregistré : { $fields }.
doc-saved-merged = Quelqu'un d'autre a modifié cette page pendant que vous travailliez ; ses modifications des autres champs sont gardées.
doc-saved-local-edits = La copie de travail du site contient des modifications locales de ce fichier : elle est laissée telle quelle, et votre modification est enregistrée.
doc-unchanged = Aucune modification à enregistrer.
doc-conflict = Cette page a été modifiée pendant que vous travailliez, dans les mêmes champs que vous. Rien n'a été enregistré. Ses valeurs sont affichées à côté des vôtres : gardez les vôtres et enregistrez de nouveau, ou modifiez-les.
doc-conflict-by = Cette page a été modifiée par { $name } le { $time } pendant que vous travailliez, dans les mêmes champs que vous. Rien n'a été enregistré. Ses valeurs sont affichées à côté des vôtres : gardez les vôtres et enregistrez de nouveau, ou modifiez-les.
doc-invalid = Certaines valeurs n'ont pas pu être enregistrées : rien n'a été enregistré. Chacune est signalée ci-dessous avec ce qu'il faut changer ; tout ce que vous avez saisi est gardé.
doc-cannot-edit = Ce fichier ne peut pas être modifié ici : { $why }.
doc-broken = L'en-tête de ce fichier est illisible (ligne { $line } : { $message }). Il est affiché tel quel et ne peut pas être modifié ici ; corrigez-le dans le dépôt.
doc-broken-no-line = L'en-tête de ce fichier est illisible ({ $message }). Il est affiché tel quel et ne peut pas être modifié ici.
doc-no-base = Il manque au formulaire la version dont il est tiré. Rechargez la page et réessayez.

## Votre compte
account-title = Votre compte
account-you-are = Vous êtes { $username } ({ $role }).
account-language = Langue
account-language-hint = La langue de cette interface. « Comme mon navigateur » suit le réglage de votre navigateur.
account-language-browser = Comme mon navigateur
account-language-save = Enregistrer la langue
account-language-saved = La langue est enregistrée.
account-language-unknown = Choisissez une des langues proposées.
account-errors = Rien n'a été modifié. Corrigez les champs signalés ci-dessous.
account-profile = Nom et courriel
account-profile-explain = Vos modifications du site sont enregistrées sous ce nom et ce courriel.
account-name = Votre nom
account-email = Courriel
account-save = Enregistrer
account-password = Mot de passe
account-current-password = Mot de passe actuel
account-new-password = Nouveau mot de passe
account-min-length = (au moins 12 caractères)
account-password-again = Le nouveau mot de passe, de nouveau
account-change-password = Changer le mot de passe
account-profile-saved = Votre nom et votre courriel sont enregistrés.
account-password-changed = Votre mot de passe est changé. Vous avez été déconnecté partout ailleurs.
account-password-throttled = Trop de mots de passe erronés. Attendez { $seconds ->
    [one] une seconde
   *[other] { $seconds } secondes
  }, puis réessayez.
account-wrong-password = Ce n'est pas votre mot de passe actuel.

## Pages d'erreur
error-back = Retour au tableau de bord
error-title-400 = Requête incorrecte
error-title-403 = Accès refusé
error-title-404 = Page introuvable
error-title-405 = Méthode non permise
error-title-409 = Conflit
error-title-412 = Version dépassée
error-title-413 = Envoi trop volumineux
error-title-422 = Valeurs refusées
error-title-429 = Trop de tentatives
error-title-500 = Erreur du serveur
error-title-503 = Service indisponible
error-internal = Une erreur s'est produite sur le serveur. Rien n'a été modifié. Réessayez ; si cela se reproduit, prévenez la personne qui gère le site.
error-no-route = Il n'y a aucune page à cette adresse.
error-role = Votre compte ne peut pas ouvrir cette page ni faire cette modification. Au besoin, demandez à un administrateur.
error-no-collection = Il n'y a pas de collection nommée { $what }.
error-no-page = Il n'y a pas de page { $what }.
error-unknown-base = Ce formulaire a été fait à partir d'une version de la page qui n'existe plus. Rechargez la page et refaites votre modification.
error-not-editable = Cette page ne peut pas être enregistrée : { $what }.
error-locked = Un autre programme écrit dans le dépôt du site en ce moment. Rien n'a été enregistré ; réessayez dans un instant.
error-busy = Le site a changé pendant l'enregistrement. Rien n'a été enregistré ; réessayez.
error-conflict = Quelqu'un d'autre a modifié les mêmes parties de cette page ({ $what }). Rien n'a été enregistré.
error-stale = Cette page a été modifiée depuis que vous l'avez ouverte. Rien n'a été modifié ; ouvrez-la de nouveau pour voir la nouvelle version.
error-exists = { $what } existe déjà. Rien n'a été enregistré.
error-invalid = Certaines valeurs ne peuvent pas être écrites :
error-unsupported = Cairn ne sait pas encore faire cela : { $what }. Rien n'a été modifié.
error-last-admin = Rien n'a été modifié : le site doit garder au moins un administrateur actif.
error-csrf = Ce formulaire a expiré ou ne vient pas de ce site. Rien n'a été modifié. Revenez en arrière, rechargez la page et réessayez.
error-not-a-form = Un envoi de formulaire était attendu.
error-bad-form = Le formulaire n'a pas pu être lu. Rien n'a été modifié ; rechargez la page et réessayez.
error-too-large-mb = Le formulaire est trop volumineux pour être enregistré : il peut contenir au plus { $size } Mo. Rien n'a été modifié ; votre saisie est toujours dans la page d'où vous venez.
error-too-large-kb = Le formulaire est trop volumineux pour être enregistré : il peut contenir au plus { $size } Ko. Rien n'a été modifié ; votre saisie est toujours dans la page d'où vous venez.

## Vérifications de ce qui est saisi dans les formulaires de compte et de jeton
field-username = Un nom d'utilisateur a de 1 à 64 lettres, chiffres, points, tirets ou soulignés.
field-display-name = Un nom a au plus 200 caractères, sans « < », « > » ni saut de ligne.
field-email = Cette adresse courriel n'est pas valide : elle ressemble à nom@exemple.org.
field-passwords-differ = Les deux mots de passe ne sont pas identiques.
field-password-long = Le mot de passe dépasse { $bytes } octets.
field-password-short = Le mot de passe doit avoir au moins { $count } caractères.
field-token-name = Un nom de jeton a de 1 à 100 caractères, sans « < », « > » ni saut de ligne.
field-token-admin = Un jeton d'API est pour un rédacteur ou un réviseur.
field-token-reviewer = { $username } est réviseur : ses jetons ne peuvent que lire.
field-role = Rôle inconnu { $role } : choisissez administrateur, rédacteur ou réviseur.

## Utilisateurs, jetons et journal de sécurité (administrateurs)
users-title = Utilisateurs
users-security-log = Journal de sécurité
users-tokens = Jetons d'API
users-username = Nom d'utilisateur
users-name = Nom
users-email = Courriel
users-role = Rôle
users-status = État
users-last-login = Dernière connexion
users-never = jamais
users-add = Ajouter un utilisateur
users-add-explain = Cairn crée un lien à usage unique, valable 24 heures, pour que la personne choisisse son mot de passe.
users-add-refused = L'utilisateur n'a pas été créé. Corrigez les champs signalés ci-dessous.
users-add-submit = Ajouter l'utilisateur
user-status-active = actif
user-status-disabled = désactivé
user-status-waiting = en attente d'un mot de passe
user-all = Tous les utilisateurs
user-link-explain = Donnez ce lien à { $name } pour choisir un mot de passe. Il ne sert qu'une fois, pendant 24 heures, et ne sera plus affiché :
user-change-role = Changer le rôle
user-access = Accès
user-enable = Réactiver ce compte
user-disable = Désactiver ce compte
user-reset = Réinitialiser le mot de passe
user-access-explain = Une désactivation, un changement de rôle ou une réinitialisation déconnecte la personne partout. Une réinitialisation annule le mot de passe actuel et crée un nouveau lien à usage unique.
user-none = Il n'y a pas d'utilisateur { $username }.
user-role-unchanged = Le rôle n'a pas changé.
user-role-changed = { $username } est maintenant { $role } ; ses sessions ont été fermées.
user-disabled = { $username } est désactivé et déconnecté.
user-enabled = { $username } peut de nouveau se connecter.
tokens-title = Jetons d'API
tokens-new-secret = Le nouveau jeton. Copiez-le maintenant : il ne sera plus affiché.
tokens-id = N°
tokens-name = Nom
tokens-owner = Enregistre sous
tokens-created = Créé
tokens-expires = Expire
tokens-last-used = Dernière utilisation
tokens-actions = Actions
tokens-own-name = (le nom du jeton)
tokens-status-active = actif
tokens-status-revoked = révoqué
tokens-status-expired = expiré
tokens-revoke = Révoquer
tokens-new = Nouveau jeton
tokens-refused = Aucun jeton n'a été créé. Corrigez les champs signalés ci-dessous.
tokens-purpose = À quoi il sert
tokens-role-reviewer = réviseur (lecture)
tokens-role-editor = rédacteur (lecture et écriture)
tokens-authored-by = Les modifications sont enregistrées sous le nom de
tokens-expires-after = Expire après (jours ; vide : jamais)
tokens-make = Créer le jeton
tokens-choose-role = Choisissez rédacteur ou réviseur.
tokens-no-owner = Il n'y a pas d'utilisateur actif { $username }.
tokens-bad-days = Un nombre de jours, 1 ou plus (ou vide : jamais).
tokens-revoked = Le jeton { $id } est révoqué.
tokens-already-revoked = Ce jeton était déjà révoqué.
log-when = Quand
log-event = Événement
log-account = Compte
log-by = Par
log-from = Depuis
log-detail = Détail
log-older = Événements plus anciens
event-login = connexion
event-login-failed = connexion manquée
event-login-throttled = connexions ralenties
event-logout = déconnexion
event-user-created = utilisateur créé
event-role-changed = rôle changé
event-user-disabled = utilisateur désactivé
event-user-enabled = utilisateur réactivé
event-password-link-created = lien de mot de passe créé
event-password-set-with-a-link = mot de passe choisi avec un lien
event-password-changed = mot de passe changé
event-profile-changed = profil modifié
event-token-created = jeton créé
event-token-revoked = jeton révoqué

## Le premier administrateur, et les liens de mot de passe à usage unique
setup-title = Créer le premier administrateur
setup-explain = Ce compte pourra ajouter ensuite des rédacteurs et des réviseurs. Votre nom et votre courriel apparaissent comme auteur de vos modifications.
setup-refused = Le compte n'a pas été créé. Corrigez les champs signalés ci-dessous.
setup-submit = Créer le compte
setup-welcome = Bienvenue ! Votre compte administrateur est prêt.
setup-dead-link = Ce lien de configuration n'est pas valable : il a déjà servi, ou ce n'est pas celui que Cairn a affiché au démarrage.
set-password-title = Choisissez votre mot de passe
set-password-for = Pour le compte { $username }. Ce lien ne sert qu'une fois.
set-password-again = Le même mot de passe, de nouveau
set-password-submit = Enregistrer mon mot de passe
set-password-done = Votre mot de passe est enregistré. Vous pouvez vous connecter.
set-password-dead-link = Ce lien de mot de passe n'est pas valable : il a déjà servi, il a plus de 24 heures, ou un lien plus récent a été créé. Demandez un nouveau lien à un administrateur.

## Constructions
builds-title = Constructions
builds-off = Cairn ne lance aucune construction pour ce site (aucune commande ni adresse de construction n'est configurée) ; la construction du dépôt distant, s'il en a une, se fait quand il reçoit un envoi.
builds-none = Aucune construction pour l'instant.
builds-all = Toutes les constructions
build-title = Construction n° { $id }
build-none = Il n'y a pas de construction { $id }.
build-run = Construction
build-commit = Version
build-started = Début
build-ended = Fin
build-status = État
build-exit-code = Code de sortie
build-why = Pourquoi
build-log = Journal
build-log-last = (la fin)
build-running = En cours
build-succeeded = Réussie
build-failed = Échouée
build-timed-out = Trop longue, arrêtée
build-interrupted = Interrompue (Cairn s'est arrêté pendant la construction)
build-unknown = Inconnu
build-why-push = après un envoi
build-why-commit = après une modification
build-why-fetch = après la reprise des modifications du dépôt distant
build-why-restart = de nouveau après un redémarrage (la précédente avait été interrompue)
build-why-other = autre

## La publication et les constructions au tableau de bord
dash-publishing = Publication
dash-paused = La publication est en pause : { $reason }.
dash-published = Toutes les modifications sont sur le site (publiées { $when }).
dash-nothing-published = Rien n'a été publié vers { $remote } depuis le démarrage de Cairn.
dash-waiting = { $count ->
    [one] { $count } modification en attente de publication.
   *[other] { $count } modifications en attente de publication.
  }
dash-failing = La dernière tentative de publication a échoué ({ $error }).
dash-stopped = Cairn a cessé d'essayer après { $count } refus ; il réessaiera à la prochaine modification. Vérifiez les identifiants du dépôt distant.
dash-removed = (supprimé)
dash-build-failed = La dernière construction a échoué :
dash-build-timed-out = La dernière construction a échoué (trop longue) :
dash-build-link = construction n° { $id } de { $commit }
dash-build-saving-goes-on = L'enregistrement continue normalement.
dash-building = Construction de { $commit } en cours :
dash-build-follow = suivre la construction n° { $id }
dash-build-last = Dernière construction : { $status },
dash-conflicts = Ce qui est en conflit avec le dépôt distant
dash-conflicts-explain = Les modifications faites dans Cairn et celles envoyées au dépôt distant ont changé ces éléments différemment. Les deux côtés sont gardés tels quels. Choisissez la version à garder pour chacun, ou mettez-les d'accord (ici ou sur le dépôt distant) : la publication reprend dès qu'il n'y a plus de conflit.
dash-conflict-file = Fichier
dash-conflict-what = Quoi
dash-conflict-ours = Ici, dans Cairn
dash-conflict-theirs = Sur le dépôt distant
dash-keep-ours = Garder la version de Cairn
dash-keep-theirs = Garder la version distante
dash-merge = Fusionner selon ces choix
ago-now = à l'instant
ago-minutes = { $count ->
    [one] il y a une minute
   *[other] il y a { $count } minutes
  }
ago-hours = { $count ->
    [one] il y a une heure
   *[other] il y a { $count } heures
  }

## Historique
history-title = Historique
history-of = Historique de « { $page } »
history-author = Auteur
history-author-hint = une partie d'un nom ou d'un courriel
history-collection = Collection
history-document = Document
history-since = Depuis
history-until = Jusqu'au
history-filter = Filtrer
history-none = Aucune modification trouvée.
history-restore = Rétablir cette version
history-older = Modifications plus anciennes
history-bad-day = « { $which } » doit être une date comme 2026-01-31, pas « { $value } ». Rien n'est affiché tant que ce n'est pas corrigé.
history-document-needs-collection = Choisissez aussi la collection du document.
history-no-commit = Il n'y a pas de modification { $sha }.
history-nothing-to-change = Rien à changer : c'est déjà ainsi.
history-not-a-version = Ce n'est pas une version de cette page.
history-restored = L'ancienne version est rétablie (modification { $commit }).
history-reverted = La modification est annulée (modification { $commit }).
history-revert-conflict = Cette modification ne peut pas être annulée automatiquement : { $fields } a changé de nouveau depuis. Rien n'a été modifié ; modifiez la page à la main.
commit-by = Par { $author } · { $when }
commit-binary = Ce n'est pas un fichier texte.
commit-merge-explain = Cette modification a réuni l'historique de Cairn et celui du dépôt distant. Pour en défaire une partie, rétablissez une version antérieure d'un document depuis son historique.
commit-revert = Annuler cette modification
commit-absent = (absent)
commit-empty = (vide)

## Régler les conflits avec le dépôt distant
settle-bad-choice = { $choice } n'est pas un choix : choisissez la version de Cairn ou la version distante.
settle-no-choice = Rien n'a été fusionné : choisissez la version à garder pour au moins un conflit.
settle-merged = Fusionné selon vos choix ; la publication continue.
settle-left = { $count ->
    [one] Rien n'est encore fusionné : 1 conflit attend encore un choix.
   *[other] Rien n'est encore fusionné : { $count } conflits attendent encore un choix.
  }

## Sessions qui se terminent pendant une modification
session-ended-kept = Votre session s'est terminée ; reconnectez-vous pour enregistrer vos modifications. Elles sont gardées jusque-là (pendant une heure).

## Modifications non enregistrées gardées par le navigateur
draft-found = Ce navigateur a gardé des modifications de cette page qui n'ont jamais été enregistrées.
draft-restore = Les remettre dans le formulaire
draft-discard = Les jeter

## Dates et heures
datetime = { $day } { $month } { $year }, { $hour } h { $minute } { $zone }
month-1 = janv.
month-2 = févr.
month-3 = mars
month-4 = avr.
month-5 = mai
month-6 = juin
month-7 = juil.
month-8 = août
month-9 = sept.
month-10 = oct.
month-11 = nov.
month-12 = déc.
account-zone = Fuseau horaire
account-zone-hint = Les heures sont affichées dans ce fuseau ; survolez-en une pour la voir en UTC.
account-zone-site = Celui du site ({ $zone })
account-zone-save = Enregistrer le fuseau horaire
account-zone-saved = Le fuseau horaire est enregistré.
account-zone-unknown = Choisissez un des fuseaux horaires proposés.

## Confirmer un rétablissement ou une annulation
confirm-cancel = Annuler
confirm-back = Retour
restore-title = Rétablir cette version ?
restore-explain = La page redeviendra telle qu'elle était dans cette version. Voici ce qui changera, de maintenant à alors :
revert-title = Annuler cette modification ?
revert-explain = Ces changements seront défaits, et rien d'autre : ce qui a changé depuis est gardé.
dash-no-remote = Chaque modification est enregistrée dans l'historique du site. Ce site ne publie vers aucun dépôt distant.
dash-paused-conflict = La publication est en pause : la version de Cairn et celle du dépôt distant ne s'accordent pas sur { $titles }.
dash-paused-admin = Choisissez ci-dessous la version à garder.
dash-paused-editor = Un administrateur a été prévenu pour choisir ; vos modifications sont gardées d'ici là.
dash-saving-goes-on = L'enregistrement continue ; chaque modification est gardée et sera publiée dès que le dépôt distant l'acceptera.
tokens-none = Aucun jeton d'API pour l'instant.
history-headline = { $change ->
        [added] Création de « { $title } »
        [deleted] Suppression de « { $title } »
        [renamed] Renommage de « { $title } »
        [restored] Retour à une version antérieure de « { $title } »
        [reverted] Annulation d'une modification de « { $title } »
       *[modified] Modification de « { $title } »
    }{ $others ->
        [0] {""}
        [one] {" "}et 1 autre fichier
       *[other] {" "}et { $others } autres fichiers
    }
history-file-added = Créé
history-file-modified = Modifié
history-file-deleted = Supprimé
history-file-renamed = Renommé
history-fields = Modifié : { $fields }
commit-details = Détails
commit-details-id = Commit
commit-details-time = Heure (UTC)
commit-details-author = Auteur
commit-details-committer = Enregistré par
commit-details-files = Fichiers
commit-details-message = Message enregistré
commit-field = Champ
commit-change = Avant → après
commit-text-changes = Modifications du texte
commit-lines-skipped = … lignes inchangées omises …
commit-line-added = ajouté :
commit-line-removed = supprimé :
dash-view-site = Voir le site
dash-recent = Dernières modifications
dash-all-changes = Toutes les modifications
doc-required = (obligatoire)
doc-choose = Choisir…
doc-not-an-option = { $value } (ne fait pas partie des choix)
rule-required = Une valeur est obligatoire.
rule-pattern = « { $value } » n'a pas la forme attendue.
rule-option = « { $value } » ne fait pas partie des choix.
rule-number = « { $value } » n'est pas un nombre.
rule-integer = « { $value } » n'est pas un nombre entier.
rule-min = Au moins { $min }.
rule-max = Au plus { $max }.
rule-min-items = { $min ->
        [one] Au moins un élément.
       *[other] Au moins { $min } éléments.
    }
rule-max-items = { $max ->
        [one] Au plus un élément.
       *[other] Au plus { $max } éléments.
    }
dash-config-title = La configuration du site
dash-config-explain = Cairn n'a pas pu utiliser ces parties des fichiers de configuration du site. Les formulaires suivent à la place ce que montrent les documents ; tout le reste fonctionne.
dash-config-line = { $file }, ligne { $line } : { $what }
dash-config-file = { $file } : { $what }
error-no-create = La configuration de ce site ne permet pas à Cairn d'ajouter des pages à cette collection.
error-no-delete = La configuration de ce site ne permet pas à Cairn de supprimer des pages de cette collection.
rule-date = « { $value } » n'est pas une date (2026-01-31).
collection-new-named = Nouveau : { $what }
collection-title = Titre
collection-range = Documents { $first } à { $last } sur { $total }
collection-pages = Pages
collection-previous = Page précédente
collection-next = Page suivante

# Valeurs imbriquées : listes d’objets et objets dans le formulaire.
nested-item = { $label } { $n }
nested-add = Ajouter : { $label }
nested-up = Monter
nested-down = Descendre
nested-remove = Retirer

rule-relation = « { $value } » ne fait pas partie des entrées proposées.
rule-min-length = { $min ->
        [one] Au moins un caractère.
       *[other] Au moins { $min } caractères.
    }
rule-max-length = { $max ->
        [one] Au plus un caractère.
       *[other] Au plus { $max } caractères.
    }
# Champs de relation : entrées d’une autre collection ou d’un fichier de données.
relation-missing = « { $value } » ne fait plus partie des entrées ; la valeur est gardée jusqu’à ce que quelqu’un la change.
relation-gone = { $value } (n’existe plus)
relation-find = Chercher
relation-search = Tapez pour chercher, puis choisissez.

# L’éditeur Markdown : barre d’outils et aperçu.
md-toolbar = Mise en forme
md-bold = Gras
md-italic = Italique
md-link = Lien
md-heading = Titre
md-list = Liste
md-quote = Citation
md-preview = Aperçu
md-preview-title = Aperçu
md-preview-note = Le texte tel que le site le montrera, sans sa mise en page. Les balises Liquid sont montrées telles quelles.
md-bold-sample = texte en gras
md-italic-sample = texte en italique
md-link-sample = texte du lien

doc-rename-title = Renommer ou déplacer
doc-rename-field = Nouvelle adresse
doc-rename-hint = Le nom du fichier de la page, sans son extension ; une / la range dans un dossier (guides/premiers-pas). Son historique la suit.
doc-rename-submit = Renommer
doc-renamed = Renommée : la page est maintenant { $slug }.

# Ce que Cairn n’a pas utilisé dans les fichiers de configuration du site (tableau de bord, pour les administrateurs).
config-not-utf8 = le fichier n’est pas du texte UTF-8 ; il n’est pas utilisé.
config-yaml = le fichier ne se lit pas comme du YAML ({ $detail }) ; il n’est pas utilisé.
config-unknown-setting = « { $key } » n’est pas un réglage que Cairn lit ; il est ignoré.
config-collections-shape = « collections » doit être une liste ou une table ; il est ignoré.
config-collection-shape = une collection doit être une table ; elle est ignorée.
config-collection-no-name = une collection n’a pas de nom ; elle est ignorée.
config-collection-folder = collection « { $name } » : le dossier « { $folder } » n’est pas une collection Jekyll de ce site ; elle est ignorée.
config-collection-no-folder = la collection « { $name } » n’a pas de dossier (les collections de fichiers ne sont pas lues) ; elle est ignorée.
config-collection-unknown = collection « { $name } » : « { $key } » n’est pas lu ; il est ignoré.
config-fields-shape = « fields » doit être une liste ; il est ignoré.
config-field-shape = un champ doit être une table ; il est ignoré.
config-field-no-name = un champ n’a pas de nom ; il est ignoré.
config-pattern-bad = champ « { $name } » : le motif « { $regex } » n’est pas une expression régulière ; il est ignoré.
config-pattern-shape = champ « { $name } » : un motif s’écrit [expression régulière, message] ; il est ignoré.
config-option-no-value = champ « { $name } » : un choix n’a pas de valeur ; il est ignoré.
config-option-shape = champ « { $name } » : un choix doit être un texte ou {"{"}label, value{"}"} ; il est ignoré.
config-options-shape = champ « { $name } » : les choix doivent être une liste ; ils sont ignorés.
config-widget-later = champ « { $name } » : Cairn n’a pas encore de widget « { $widget } » ; le champ se modifie selon ses valeurs.
config-widget-unknown = champ « { $name } » : il n’y a pas de widget « { $widget } » ; le champ se modifie selon ses valeurs.
config-field-unknown = champ « { $name } » : « { $key } » n’est pas lu ; il est ignoré.
config-datetime = champ « { $name } » : une date avec une heure se modifie comme un texte, pour garder l’heure.

collection-filter = Filtrer
collection-filter-submit = Afficher
collection-matching = { $count ->
        [one] Un document correspond.
       *[other] { $count } documents correspondent.
    }
collection-none-match = Aucun document ne correspond à ce filtre.
md-preview-of = Aperçu de « { $field } »

nav-media = Médias
# La médiathèque.
media-title = Médiathèque
media-count = { $count ->
        [0] Aucun fichier pour l’instant
        [one] Un fichier
       *[other] { $count } fichiers
    }
media-folders = dans { $folders }
media-empty = Il n’y a encore aucun fichier dans les dossiers de médias.
media-file = Fichier
media-size = Taille
media-used-by = Utilisé par
media-unused = Utilisé par aucune page
media-bytes = { $n } octets
media-kb = { $n } Ko
media-mb = { $n } Mo
media-dimensions = { $w } × { $h } px

media-upload = Ajouter un fichier
media-upload-folder = Dossier
media-upload-hint = Une image (JPEG, PNG, GIF, WebP, AVIF, SVG), un PDF ou une vidéo (MP4, WebM), jusqu’à { $size } Mo.
media-upload-submit = Ajouter
media-added = Ajouté : le site le montre à l’adresse { $path }.
media-no-file = Choisissez un fichier à ajouter.
media-empty-file = Le fichier est vide. Rien n’a été ajouté.
media-bad-name = « { $name } » ne peut pas être un nom de fichier : il contient un séparateur de dossier ou un caractère invisible. Renommez le fichier et ajoutez-le à nouveau.
media-bad-extension = « { $name } » n’est pas un type de fichier que le site accepte : images (JPEG, PNG, GIF, WebP, AVIF, SVG), PDF et vidéos (MP4, WebM).
media-unknown-type = « { $name } » n’est pas ce que dit son nom : son contenu n’est ni une image, ni un PDF, ni une vidéo que le site accepte. Rien n’a été ajouté.
media-type-mismatch = « { $name } » porte le nom d’un autre type de fichier que le sien (son contenu est { $extension }). Renommez-le avec la bonne extension et ajoutez-le à nouveau.
media-unsafe-svg = Ce dessin SVG contient un script, un gestionnaire d’événement ou un lien vers un autre site, que le site ne doit pas servir. Rien n’a été ajouté ; exportez-le à nouveau sans eux.
media-too-large = Le fichier dépasse { $size } Mo, la plus grande taille que le site accepte. Rien n’a été ajouté.

media-actions = Actions
media-delete = Supprimer
media-deleted = { $path } a été supprimé. Il reste dans l’historique : la modification peut y être annulée.
media-in-use = { $name } ne peut pas être supprimé : { $count ->
        [one] la page { $pages } l’utilise.
       *[other] les pages { $pages } l’utilisent.
    } Retirez-le d’abord de { $count ->
        [one] cette page
       *[other] ces pages
    }. Rien n’a été supprimé.

media-drop = Déposez un fichier ici
media-field-no-image = Pas encore d’image.
media-field-no-file = Pas encore de fichier.
media-field-upload-image = Envoyer une nouvelle image
media-field-upload-file = Envoyer un nouveau fichier
media-field-choose = Choisir dans la médiathèque
media-field-remove-image = Retirer l’image
media-field-remove-file = Retirer le fichier
media-choose-search = Chercher dans la médiathèque
media-choose-find = Chercher
media-choose-keep-none = Garder : aucun fichier
media-choose-keep = Garder { $name }
media-choose-none = Aucun fichier de la médiathèque ne correspond.
media-choose-shown = { $total ->
    [one] Un fichier.
   *[other] { $shown } fichiers affichés sur { $total } ; cherchez pour trouver les autres.
}
media-alt-hint = Décrivez en une phrase ce que montre l’image pour qui ne peut pas la voir : ce qui compte sur cette page, sans « image de ».
media-alt-remembered = Repris d’une autre page qui utilise cette image : vérifiez qu’il convient ici, puis enregistrez.
media-alt-decorative = Image décorative : elle n’apporte rien au texte, pas besoin de description
media-pending = { $name } sera ajouté à l’enregistrement.
media-upload-gone = Le fichier choisi plus tôt n’est plus conservé (après un jour). Choisissez-le de nouveau.
media-unreadable-image = « { $name } » n’a pas pu être lu comme une image (il est peut-être abîmé) : ses informations personnelles (comme le lieu de la prise de vue) n’ont pas pu être retirées. Rien n’a été ajouté ; exportez-le de nouveau.
media-keep-metadata = Garder le lieu et les détails de l’appareil de la photo
media-replace = Remplacer un fichier du même nom (l’historique garde l’ancien)
rule-alt-missing = Décrivez l’image, ou cochez « Image décorative » si elle n’apporte rien au texte.
media-choose-all = { $total ->
    [one] Un fichier.
   *[other] { $total } fichiers.
}
media-rename = Renommer
media-rename-to = Nouveau nom
media-rename-pages = Les pages qui l’utilisent prendront le nouveau nom.
media-rename-submit = Renommer
media-renamed = { $from } renommé : le site le montre à { $path }.
media-rename-type = « { $name } » changerait le type du fichier ; gardez son extension.
media-name-taken = « { $name } » est déjà le nom d’un fichier de ce dossier. Choisissez un autre nom.
media-resize = Si l’image dépasse { $px } pixels sur son plus grand côté, ajouter une copie de cette taille (conseillé : les grandes photos sont lentes à charger)
media-pending-resized = { $name } ({ $w } × { $h } px, réduit de { $fw } × { $fh }) sera ajouté à l’enregistrement.
config-media-type = « { $type } » dans media_types n’est pas un type de fichier que Cairn prend (jpg, png, gif, webp, avif, svg, pdf, mp4, webm) ; il est laissé de côté.
media-type-not-allowed = « { $name } » est un type de fichier que ce site ne prend pas. Il prend : { $types }.
media-avif-metadata = « { $name } » contient des informations sur la photo (comme le lieu de la prise de vue) que Cairn ne peut pas retirer d’un fichier AVIF. Exportez-le de nouveau sans elles, ou en JPEG, ou cochez « Garder le lieu et les détails de l’appareil de la photo ».

## Recherche
search-title = Recherche
search-label = Mots à chercher
search-placeholder = Chercher dans le site
search-button = Chercher
search-collection = Collection
search-any-collection = Toutes les collections
search-field = Dans
search-any-field = Partout
search-hint = Chaque mot doit être trouvé ; les « guillemets » gardent les mots ensemble. Les formes des mots et les accents ne comptent pas : « villes » trouve « ville ».
search-results = { $count ->
    [0] Rien trouvé pour « { $query } ». Essayez moins de mots, ou d’autres.
    [one] Une page trouvée pour « { $query } ».
   *[other] { $count } pages trouvées pour « { $query } ».
}
search-pages = Pages de résultats
search-previous = Résultats précédents
search-next = Plus de résultats

# « Aperçu sur le site » : la page construite par le Jekyll du site.
site-preview = Aperçu sur le site
site-preview-title = Aperçu sur le site
site-preview-note = Construit par le Jekyll du site avec vos modifications. Rien n’est enregistré tant que vous n’appuyez pas sur Enregistrer.
site-preview-open = L’ouvrir dans un nouvel onglet
site-preview-frame = La page « { $title } » telle que le site la montrera
site-preview-missing = L’aperçu sur le site a besoin de Jekyll, qui n’est pas installé sur ce serveur (la commande « { $command } » est introuvable). Demandez à la personne qui gère Cairn d’installer Jekyll, ou de l’indiquer avec --jekyll-command.
site-preview-not-built = Jekyll ne fait pas de page pour ce document : il n’est pas publié, il est daté dans le futur, ou sa collection n’a pas de pages propres.
site-preview-failed = Jekyll n’a pas pu construire la page. Ce qu’il a écrit :
site-preview-invalid = Certaines valeurs ne peuvent pas être prévisualisées : voyez les messages à côté des champs.
site-preview-conflict = Quelqu’un d’autre a modifié les mêmes champs de cette page entre-temps. Ouvrez la page de nouveau pour voir sa version, puis prévisualisez.

# Santé du site (cairn check, /site-health) : ce que Jekyll lit autrement.
check-bom = Le fichier commence par une marque d’ordre des octets (un caractère invisible) avant son en-tête.
check-bom-jekyll = Jekyll ne voit pas l’en-tête : il copie le fichier tel quel, et aucune page n’en est construite.
check-bom-fix = Enregistrez le fichier en UTF-8 sans marque d’ordre des octets (« UTF-8 » et non « UTF-8 avec BOM » dans la plupart des éditeurs).
check-broken = L’en-tête ne peut pas être lu : { $why }.
check-broken-jekyll = Jekyll s’arrête sur une erreur pour ce fichier, ou le construit sans ses champs.
check-broken-fix = Corrigez le YAML à cette ligne (un guillemet ou un crochet manquant, une tabulation pour indenter).
check-duplicate = Une clé est donnée deux fois : { $why }.
check-duplicate-jekyll = Jekyll ne garde que la dernière valeur ; la première est ignorée sans avertissement.
check-duplicate-fix = Gardez l’une des deux lignes et supprimez l’autre.
check-tag = L’en-tête utilise une étiquette YAML : { $why }.
check-tag-jekyll = Jekyll refuse les étiquettes comme !ruby/object en lisant l’en-tête : la construction échoue sur ce fichier.
check-tag-fix = Écrivez la valeur en texte simple, en liste ou en dictionnaire, sans l’étiquette.
check-date = Le champ « { $field } » vaut « { $value } », qui n’est pas une date.
check-date-jekyll = Jekyll ne peut pas le lire comme une date : pour « date », la construction échoue ; ailleurs, la valeur est montrée telle quelle, et les tris et formats de date l’ignorent.
check-date-fix = Écrivez la date sous la forme AAAA-MM-JJ (par exemple 2024-03-01), ou laissez le champ vide.
check-outside = Le document est dans le dossier « { $folder } », qu’aucune collection du site ne lit.
check-outside-jekyll = Jekyll ignore les dossiers dont le nom commence par « _ » sauf s’ils sont des collections : cette page n’est jamais construite.
check-outside-fix = Déplacez le fichier dans le dossier d’une collection, ou déclarez le dossier comme collection dans _config.yml.
check-post = Le nom du fichier de l’article ne commence pas par une date (AAAA-MM-JJ-titre).
check-post-jekyll = Jekyll ne le lit pas comme un article : il est laissé hors du site.
check-post-fix = Renommez le fichier pour qu’il commence par sa date, par exemple 2024-03-01-titre.md.
check-permalink = Cette page et { $others } sont toutes écrites à l’adresse { $address }.
check-permalink-jekyll = Jekyll écrit une page par-dessus l’autre : une seule est sur le site, et laquelle peut changer d’une construction à l’autre.
check-permalink-fix = Donnez à l’une d’elles un autre permalien ou un autre nom de fichier.
check-missing = « { $link } » (dans { $field }) pointe vers un fichier que le site n’a pas.
check-missing-jekyll = Jekyll construit la page quand même : le lien ou l’image est cassé sur le site.
check-missing-fix = Envoyez le fichier, ou corrigez le chemin (majuscules et minuscules comptent).
check-relation = « { $value } » dans { $field } ne désigne plus aucune entrée de { $collection }.
check-relation-jekyll = Jekyll montre la valeur telle quelle : le lien vers l’entrée est perdu.
check-relation-fix = Choisissez une entrée existante dans le formulaire, ou retirez la valeur.
check-rule-jekyll = Jekyll construit la page, mais elle ne suit pas le modèle de contenu du site.
check-rule-fix = Ouvrez la page dans Cairn et corrigez le champ.
health-title = Santé du site
health-intro = Ce que Jekyll lit autrement que ce que les fichiers montrent, dans la dernière version du site ({ $commit }).
health-clean = { $files } fichiers vérifiés : Jekyll les lit tous tels qu’ils se présentent.
health-summary = { $files } fichiers vérifiés : { $findings ->
    [one] un problème
   *[other] { $findings } problèmes
}.
health-at = ligne { $line }
health-what = Ce qui ne va pas
health-jekyll = Ce que fait Jekyll
health-fix = Que faire
health-open = Ouvrir dans le formulaire
nav-health = Santé du site
