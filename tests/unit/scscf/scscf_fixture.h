/*
 * The subscriber the S-CSCF unit tests share: one IMPI whose first service
 * profile holds an implicit set of three IMPUs (one barred). test_scscf_regs
 * adds a second profile of its own.
 */
#ifndef IMSCORE_TESTS_SCSCF_FIXTURE_H
#define IMSCORE_TESTS_SCSCF_FIXTURE_H

#define IMPI "001010000000001@ims.example.org"
#define IMPU "sip:001010000000001@ims.example.org"

#define FIXTURE_PROFILE                                                                            \
    "<ServiceProfile>"                                                                             \
    "<PublicIdentity><Identity>" IMPU "</Identity></PublicIdentity>"                               \
    "<PublicIdentity><Identity>tel:+15550000001</Identity></PublicIdentity>"                       \
    "<PublicIdentity><BarringIndication>1</BarringIndication>"                                     \
    "<Identity>sip:barred@ims.example.org</Identity></PublicIdentity>"                             \
    "</ServiceProfile>"

#define FIXTURE_USER_DATA_WITH(extra_profiles)                                                     \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                                                   \
    "<IMSSubscription><PrivateID>" IMPI "</PrivateID>" FIXTURE_PROFILE extra_profiles              \
    "</IMSSubscription>"

#endif
