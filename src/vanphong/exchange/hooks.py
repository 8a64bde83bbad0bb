"""Where other apps hear of the exchange, without the exchange knowing them (notifications).

Sent inside the transaction of its cause, so that what receivers write commits or rolls back with it;
receivers only write rows.

- package_received: sender=InboundPackage, package=InboundPackage: a document package was taken in for a
  hosted agency (a new document, or a recall, update or replacement of one received earlier) and waits for
  its clerks. Sent once per package: a duplicate delivery is acknowledged before it."""

from django.dispatch import Signal

package_received = Signal()
