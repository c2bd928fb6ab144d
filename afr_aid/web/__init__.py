"""Helpers shared by the page blueprints (auth/, cases/, admin/, dashboard/,
notifications/): the signed-in user and safe redirects (`helpers`), form
fields and error display (`forms`), Jinja filters and globals (`templating`),
file downloads (`downloads`), and the one place where domain errors become
pages or JSON answers (`errors`)."""
